-- Docs databases: a page that is a table. Its rows are the pages below it
-- (each opens as a page); its columns are typed; each row holds one value
-- per column.

-- page | database
ALTER TABLE doc_pages ADD COLUMN kind TEXT NOT NULL DEFAULT 'page';

-- A database's columns, in order. `kind`: text | number | date | select |
-- person | checkbox | link. `options`: JSON, the choices of a select.
CREATE TABLE doc_db_columns (
    id BIGSERIAL PRIMARY KEY,
    page_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    position DOUBLE PRECISION NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX doc_db_columns_page ON doc_db_columns(page_id, position);

-- One row's value in one column, as JSON; no row when empty.
CREATE TABLE doc_db_cells (
    row_id BIGINT NOT NULL REFERENCES doc_pages(id) ON DELETE CASCADE,
    column_id BIGINT NOT NULL REFERENCES doc_db_columns(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    PRIMARY KEY (row_id, column_id)
);
CREATE INDEX doc_db_cells_column ON doc_db_cells(column_id);

-- How a database is shown to everyone: its sorts and filters, as JSON.
CREATE TABLE doc_db_views (
    page_id BIGINT PRIMARY KEY REFERENCES doc_pages(id) ON DELETE CASCADE,
    view TEXT NOT NULL
);
