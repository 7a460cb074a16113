//! Databases: a page that is a table of rows with typed columns, what the
//! team used a spreadsheet for. Each row is a page below the database page
//! (it opens as a page, with its own content); its title is the row's
//! name. Columns are text, number, date, select, person, checkbox or link;
//! each value is checked against its column's kind. Everyone sees the
//! table through its saved view (sorts and filters, applied here), and
//! CSV goes in and out.
//!
//! Rows are read through the database page's gate: whoever reads the
//! database reads its rows, except rows restricted on their own, which
//! pass the page gate one by one.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use bureau_core::{Error, Principal, Result, UserId};
use bureau_store::{DbColumnChange, NewPage, PageRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{check_title, Docs, PageView};

/// Columns a database has at most.
pub const MAX_COLUMNS: usize = 100;
/// Characters of a text value, or of a column's name.
pub const MAX_TEXT_CHARS: usize = 10_000;
const MAX_NAME_CHARS: usize = 200;
/// Choices of a select column.
pub const MAX_CHOICES: usize = 200;
/// Rows one CSV file brings at most.
pub const MAX_CSV_ROWS: usize = 10_000;
/// Sorts or filters a view holds at most.
const MAX_VIEW_RULES: usize = 20;
/// The key under which a database page's document notes row changes (see
/// [`crate::Rooms::touch`]).
pub const ROWS_CHANGED: &str = "rows";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Text,
    Number,
    Date,
    Select,
    Person,
    Checkbox,
    Link,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Text => "text",
            ColumnKind::Number => "number",
            ColumnKind::Date => "date",
            ColumnKind::Select => "select",
            ColumnKind::Person => "person",
            ColumnKind::Checkbox => "checkbox",
            ColumnKind::Link => "link",
        }
    }

    fn parse(text: &str) -> Option<ColumnKind> {
        serde_json::from_value(Value::String(text.to_owned())).ok()
    }
}

/// A choice of a select column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub name: String,
    /// One of the app's hue names; the web app picks one when empty.
    #[serde(default)]
    pub color: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub id: i64,
    pub name: String,
    pub kind: ColumnKind,
    pub choices: Vec<Choice>,
}

/// A row: its page (title, icon, who made it) and its values by column.
#[derive(Clone, Debug)]
pub struct Row {
    pub page: PageRecord,
    pub cells: BTreeMap<i64, Value>,
}

/// What a sort or filter is about: a column, or the rows' titles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Field {
    Column(i64),
    /// Only `"title"`.
    Named(Named),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Named {
    Title,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sort {
    pub field: Field,
    #[serde(default)]
    pub descending: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Is,
    IsNot,
    Contains,
    NotContains,
    Before,
    After,
    Below,
    Above,
    IsEmpty,
    IsNotEmpty,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub field: Field,
    pub op: Op,
    #[serde(default)]
    pub value: Value,
}

/// How a table is shown: rows kept by every filter, in the order of the
/// sorts (then the manual order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct View {
    #[serde(default)]
    pub sorts: Vec<Sort>,
    #[serde(default)]
    pub filters: Vec<Filter>,
}

/// A database as a person sees it.
#[derive(Clone, Debug)]
pub struct Table {
    pub page: PageView,
    pub columns: Vec<Column>,
    /// The saved view everyone sees.
    pub view: View,
    /// The rows through the view asked for (the saved one by default).
    pub rows: Vec<Row>,
}

/// A new column.
pub struct NewColumn<'a> {
    pub name: &'a str,
    pub kind: ColumnKind,
    pub choices: Vec<Choice>,
}

/// What changes in a column; `None` leaves a field as it is. A new kind
/// converts the values that fit and drops the others.
#[derive(Default)]
pub struct ColumnEdit<'a> {
    pub name: Option<&'a str>,
    pub kind: Option<ColumnKind>,
    pub choices: Option<Vec<Choice>>,
    /// Its place among the columns (the end when past it).
    pub index: Option<usize>,
}

impl Docs {
    /// A new database page, empty, with a "Tags"-less table: rows have a
    /// title until columns are added.
    pub async fn create_database(
        &self,
        who: &Principal,
        space: i64,
        parent: Option<i64>,
        title: &str,
        icon: &str,
    ) -> Result<PageView> {
        self.create_page_with(
            who,
            space,
            parent,
            title,
            icon,
            Some(crate::templates::Start::Database),
        )
        .await
    }

    /// A database page the person may read, or 404/422.
    async fn database(&self, who: &Principal, id: i64) -> Result<PageView> {
        let view = self.page(who, id).await?;
        if !view.page.database {
            return Err(Error::invalid(
                "page",
                format!("page {id} is not a database"),
            ));
        }
        Ok(view)
    }

    /// A database page the person may change the rows and columns of.
    async fn writable_database(&self, who: &Principal, id: i64) -> Result<PageView> {
        let view = self.database(who, id).await?;
        view.writable()?;
        if view.archived {
            return Err(Error::invalid("page", "this database is archived"));
        }
        if view.locked {
            return Err(Error::Forbidden("this database is locked".into()));
        }
        Ok(view)
    }

    /// The table: its columns, saved view and rows, through `through` (an
    /// unsaved view) or the saved one.
    pub async fn table(&self, who: &Principal, id: i64, through: Option<View>) -> Result<Table> {
        let page = self.database(who, id).await?;
        let store = &self.ports.store;
        let columns = self.columns(id).await?;
        let saved: View = store
            .db_view(id)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let view = match through {
            Some(view) => check_view(view, &columns)?,
            None => saved.clone(),
        };
        let mut cells: HashMap<i64, BTreeMap<i64, Value>> = HashMap::new();
        for cell in store.db_cells(id).await? {
            if let Ok(value) = serde_json::from_str(&cell.value) {
                cells
                    .entry(cell.row_id)
                    .or_default()
                    .insert(cell.column_id, value);
            }
        }
        let mut rows = Vec::new();
        for row in store.db_rows(id).await? {
            // A row restricted on its own reaches only its people.
            if row.restricted && self.page(who, row.id).await.is_err() {
                continue;
            }
            let cells = cells.remove(&row.id).unwrap_or_default();
            rows.push(Row { page: row, cells });
        }
        let rows = apply(&view, &columns, rows, who.user_id);
        Ok(Table {
            page,
            columns,
            view: saved,
            rows,
        })
    }

    async fn columns(&self, id: i64) -> Result<Vec<Column>> {
        Ok(self
            .ports
            .store
            .db_columns(id)
            .await?
            .into_iter()
            .map(|c| Column {
                id: c.id,
                kind: ColumnKind::parse(&c.kind).unwrap_or(ColumnKind::Text),
                choices: serde_json::from_str(&c.options).unwrap_or_default(),
                name: c.name,
            })
            .collect())
    }

    /// Saves the view everyone sees the table through.
    pub async fn set_view(&self, who: &Principal, id: i64, view: View) -> Result<View> {
        self.writable_database(who, id).await?;
        let columns = self.columns(id).await?;
        let view = check_view(view, &columns)?;
        let mut tx = self.ports.store.begin().await?;
        tx.set_db_view(id, &serde_json::to_string(&view).map_err(Error::internal)?)
            .await?;
        tx.commit().await?;
        self.rows_changed(id).await;
        Ok(view)
    }

    /// Adds a column at the end.
    pub async fn add_column(&self, who: &Principal, id: i64, new: NewColumn<'_>) -> Result<Column> {
        self.writable_database(who, id).await?;
        let columns = self.ports.store.db_columns(id).await?;
        if columns.len() >= MAX_COLUMNS {
            return Err(Error::invalid(
                "name",
                format!("a database has at most {MAX_COLUMNS} columns"),
            ));
        }
        let name = check_name(new.name)?;
        let choices = check_choices(new.choices)?;
        let position = columns.last().map_or(1.0, |c| c.position.floor() + 1.0);
        let mut tx = self.ports.store.begin().await?;
        let column = tx
            .insert_db_column(
                id,
                name,
                new.kind.as_str(),
                &serde_json::to_string(&choices).map_err(Error::internal)?,
                position,
            )
            .await?;
        tx.commit().await?;
        self.rows_changed(id).await;
        Ok(Column {
            id: column,
            name: name.to_owned(),
            kind: new.kind,
            choices,
        })
    }

    /// Renames a column, changes its kind or choices, or moves it.
    pub async fn edit_column(
        &self,
        who: &Principal,
        id: i64,
        column: i64,
        edit: ColumnEdit<'_>,
    ) -> Result<Column> {
        self.writable_database(who, id).await?;
        let columns = self.columns(id).await?;
        let current = columns
            .iter()
            .find(|c| c.id == column)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("there is no column {column} here")))?;
        let name = edit.name.map(check_name).transpose()?;
        let kind = edit.kind.unwrap_or(current.kind);
        let mut choices = match edit.choices {
            Some(choices) => check_choices(choices)?,
            None => current.choices.clone(),
        };
        let mut tx = self.ports.store.begin().await?;
        if kind != current.kind || kind == ColumnKind::Select {
            // Values that fit the new kind stay (a select gains the
            // choices it needs); the others go.
            for cell in tx.db_column_cells(column).await? {
                let old: Value = serde_json::from_str(&cell.value).unwrap_or(Value::Null);
                let new = convert(&old, current.kind, kind, &mut choices);
                if new.as_ref() != Some(&old) {
                    let json = new.map(|v| v.to_string());
                    tx.set_db_cell(cell.row_id, column, json.as_deref()).await?;
                }
            }
            check_choices(choices.clone())?;
        }
        let position = match edit.index {
            Some(index) => {
                let others: Vec<f64> = self
                    .ports
                    .store
                    .db_columns(id)
                    .await?
                    .iter()
                    .filter(|c| c.id != column)
                    .map(|c| c.position)
                    .collect();
                Some(between(&others, index))
            }
            None => None,
        };
        let options = serde_json::to_string(&choices).map_err(Error::internal)?;
        tx.update_db_column(
            column,
            &DbColumnChange {
                name,
                kind: Some(kind.as_str()),
                options: Some(&options),
                position,
            },
        )
        .await?;
        tx.commit().await?;
        self.rows_changed(id).await;
        Ok(Column {
            id: column,
            name: name.map_or(current.name, str::to_owned),
            kind,
            choices,
        })
    }

    /// Deletes a column and its values; sorts and filters on it go too.
    pub async fn delete_column(&self, who: &Principal, id: i64, column: i64) -> Result<()> {
        self.writable_database(who, id).await?;
        let columns = self.columns(id).await?;
        if !columns.iter().any(|c| c.id == column) {
            return Err(Error::NotFound(format!("there is no column {column} here")));
        }
        let store = &self.ports.store;
        let mut view: View = store
            .db_view(id)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        view.sorts.retain(|s| s.field != Field::Column(column));
        view.filters.retain(|f| f.field != Field::Column(column));
        let mut tx = store.begin().await?;
        tx.delete_db_column(column).await?;
        tx.set_db_view(id, &serde_json::to_string(&view).map_err(Error::internal)?)
            .await?;
        tx.commit().await?;
        self.rows_changed(id).await;
        Ok(())
    }

    /// Adds a row (a page below the database) with its values.
    pub async fn add_row(
        &self,
        who: &Principal,
        id: i64,
        title: &str,
        cells: &BTreeMap<i64, Value>,
    ) -> Result<Row> {
        let view = self.writable_database(who, id).await?;
        let columns = self.columns(id).await?;
        let title = check_title(title)?;
        let checked = self.check_cells(&columns, cells).await?;
        let mut tx = self.ports.store.begin().await?;
        let page = tx
            .insert_page(NewPage {
                space_id: view.page.space_id,
                parent_id: Some(id),
                title,
                icon: "",
                by: who.user_id,
            })
            .await?;
        for (column, value) in &checked {
            let json = value.as_ref().map(Value::to_string);
            tx.set_db_cell(page.id, *column, json.as_deref()).await?;
        }
        tx.commit().await?;
        self.rows_changed(id).await;
        let cells = checked
            .into_iter()
            .filter_map(|(c, v)| v.map(|v| (c, v)))
            .collect();
        Ok(Row { page, cells })
    }

    /// Changes a row's title or values (`null` empties a value).
    pub async fn edit_row(
        &self,
        who: &Principal,
        id: i64,
        row: i64,
        title: Option<&str>,
        cells: &BTreeMap<i64, Value>,
    ) -> Result<()> {
        self.writable_database(who, id).await?;
        let page = self.page(who, row).await?;
        if page.page.parent_id != Some(id) || page.archived {
            return Err(Error::NotFound(format!("there is no row {row} here")));
        }
        page.writable()?;
        let columns = self.columns(id).await?;
        let title = title.map(check_title).transpose()?;
        let checked = self.check_cells(&columns, cells).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.update_page(
            row,
            &bureau_store::PageChange {
                title,
                ..Default::default()
            },
            who.user_id,
        )
        .await?;
        for (column, value) in &checked {
            let json = value.as_ref().map(Value::to_string);
            tx.set_db_cell(row, *column, json.as_deref()).await?;
        }
        tx.commit().await?;
        self.rows_changed(id).await;
        Ok(())
    }

    /// Values checked against their columns: `None` empties one.
    async fn check_cells(
        &self,
        columns: &[Column],
        cells: &BTreeMap<i64, Value>,
    ) -> Result<Vec<(i64, Option<Value>)>> {
        let mut out = Vec::with_capacity(cells.len());
        for (id, value) in cells {
            let column = columns.iter().find(|c| c.id == *id).ok_or_else(|| {
                Error::invalid("cells", format!("there is no column {id} in this database"))
            })?;
            let value = check_value(column, value)
                .map_err(|why| Error::invalid("cells", format!("{}: {why}", column.name)))?;
            if let (ColumnKind::Person, Some(person)) = (column.kind, &value) {
                let known = match person.as_i64() {
                    Some(person) => self.ports.store.user_by_id(UserId(person)).await?.is_some(),
                    None => false,
                };
                if !known {
                    return Err(Error::invalid(
                        "cells",
                        format!("{}: there is no person {person}", column.name),
                    ));
                }
            }
            out.push((*id, value));
        }
        Ok(out)
    }

    /// When `page` is a database's row, tells the people on the database
    /// that its rows changed.
    pub(crate) async fn row_changed(&self, page: &PageRecord) {
        if let Some(parent) = page.parent_id {
            if let Ok(Some(parent)) = self.ports.store.page(parent).await {
                if parent.database {
                    self.rooms.touch(parent.id, parent.space_id, ROWS_CHANGED);
                }
            }
        }
    }

    /// Tells the people on the database page that its rows changed.
    pub(crate) async fn rows_changed(&self, id: i64) {
        if let Ok(Some(page)) = self.ports.store.page(id).await {
            self.rooms.touch(id, page.space_id, ROWS_CHANGED);
        }
    }

    /// Copies a database's columns, view and values onto its copy, whose
    /// rows are the copies of its rows (`copies`: page to copy).
    pub(crate) async fn copy_table(
        &self,
        tx: &mut bureau_store::Tx,
        from: i64,
        copies: &HashMap<i64, i64>,
    ) -> Result<()> {
        let store = &self.ports.store;
        let to = copies[&from];
        tx.make_database(to).await?;
        let mut columns = HashMap::new();
        for column in store.db_columns(from).await? {
            let id = tx
                .insert_db_column(
                    to,
                    &column.name,
                    &column.kind,
                    &column.options,
                    column.position,
                )
                .await?;
            columns.insert(column.id, id);
        }
        for cell in store.db_cells(from).await? {
            if let (Some(row), Some(column)) =
                (copies.get(&cell.row_id), columns.get(&cell.column_id))
            {
                tx.set_db_cell(*row, *column, Some(&cell.value)).await?;
            }
        }
        let mut view: View = store
            .db_view(from)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let remap = |field: &mut Field| {
            if let Field::Column(id) = field {
                *id = columns.get(id).copied().unwrap_or(0);
            }
        };
        view.sorts.iter_mut().for_each(|s| remap(&mut s.field));
        view.filters.iter_mut().for_each(|f| remap(&mut f.field));
        tx.set_db_view(to, &serde_json::to_string(&view).map_err(Error::internal)?)
            .await?;
        Ok(())
    }

    /// Adds a database's rows to its Markdown as a table, through the
    /// saved view; other pages are left as they are.
    pub(crate) async fn append_table(
        &self,
        who: &Principal,
        page: &PageView,
        text: &mut String,
    ) -> Result<()> {
        if !page.page.database {
            return Ok(());
        }
        let (_, csv) = self.table_csv(who, page.page.id).await?;
        let lines = read_csv(&csv)?;
        if !text.is_empty() && !text.ends_with("\n\n") {
            text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
        }
        for (n, line) in lines.iter().enumerate() {
            let cells: Vec<String> = line.iter().map(|cell| markdown_cell(cell)).collect();
            text.push_str(&format!("| {} |\n", cells.join(" | ")));
            if n == 0 {
                text.push_str(&format!("|{}\n", " --- |".repeat(line.len())));
            }
        }
        Ok(())
    }

    /// The table as CSV: a header of the column names after "Name", then
    /// one line per row in the saved view's order. People are written by
    /// name, checkboxes as true/false, dates as YYYY-MM-DD.
    pub async fn table_csv(&self, who: &Principal, id: i64) -> Result<(PageView, Vec<u8>)> {
        let table = self.table(who, id, None).await?;
        let mut names: HashMap<i64, String> = HashMap::new();
        for row in &table.rows {
            for column in &table.columns {
                if column.kind != ColumnKind::Person {
                    continue;
                }
                if let Some(person) = row.cells.get(&column.id).and_then(Value::as_i64) {
                    if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(person) {
                        if let Some(user) = self.ports.store.user_by_id(UserId(person)).await? {
                            slot.insert(user.display_name);
                        }
                    }
                }
            }
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        let mut header = vec![title_header(&table.columns)];
        header.extend(table.columns.iter().map(|c| c.name.clone()));
        out.write_record(&header).map_err(Error::internal)?;
        for row in &table.rows {
            let mut line = vec![row.page.title.clone()];
            for column in &table.columns {
                line.push(match row.cells.get(&column.id) {
                    None => String::new(),
                    Some(value) => as_text(column.kind, value, &names),
                });
            }
            out.write_record(&line).map_err(Error::internal)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok((table.page, bytes))
    }

    /// Rows from a CSV file added to a database (see [`plan_csv`]).
    /// Nothing is added unless every line fits.
    pub async fn import_csv(&self, who: &Principal, id: i64, bytes: &[u8]) -> Result<usize> {
        let view = self.writable_database(who, id).await?;
        let columns = self.columns(id).await?;
        let people = self.ports.store.users().await?;
        let plan = plan_csv(columns, bytes, &people)?;
        let mut tx = self.ports.store.begin().await?;
        let added = self
            .store_csv(&mut tx, who, view.page.space_id, id, plan)
            .await?;
        tx.commit().await?;
        self.rows_changed(id).await;
        Ok(added)
    }

    /// A new database made from a CSV file, named `title`; a file that
    /// does not fit makes nothing.
    pub async fn database_from_csv(
        &self,
        who: &Principal,
        space: i64,
        parent: Option<i64>,
        title: &str,
        bytes: &[u8],
    ) -> Result<PageView> {
        let title = check_title(title)?;
        self.writable_destination(who, space, parent).await?;
        let people = self.ports.store.users().await?;
        let plan = plan_csv(Vec::new(), bytes, &people)?;
        let mut tx = self.ports.store.begin().await?;
        let page = tx
            .insert_page(NewPage {
                space_id: space,
                parent_id: parent,
                title,
                icon: "",
                by: who.user_id,
            })
            .await?;
        tx.make_database(page.id).await?;
        self.store_csv(&mut tx, who, space, page.id, plan).await?;
        self.tree_changed(&mut tx, space).await?;
        self.ports.commit(tx).await?;
        self.page(who, page.id).await
    }

    /// Stores what a CSV file brings: new columns, new choices, rows.
    async fn store_csv(
        &self,
        tx: &mut bureau_store::Tx,
        who: &Principal,
        space: i64,
        id: i64,
        mut plan: CsvPlan,
    ) -> Result<usize> {
        let mut last = self
            .ports
            .store
            .db_columns(id)
            .await?
            .last()
            .map_or(0.0, |c| c.position.floor());
        for column in &mut plan.columns {
            let options = serde_json::to_string(&column.choices).map_err(Error::internal)?;
            if column.id == 0 {
                last += 1.0;
                column.id = tx
                    .insert_db_column(id, &column.name, column.kind.as_str(), &options, last)
                    .await?;
            } else if column.kind == ColumnKind::Select {
                tx.update_db_column(
                    column.id,
                    &DbColumnChange {
                        options: Some(&options),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        for (title, values) in &plan.rows {
            let page = tx
                .insert_page(NewPage {
                    space_id: space,
                    parent_id: Some(id),
                    title,
                    icon: "",
                    by: who.user_id,
                })
                .await?;
            for (at, value) in values {
                tx.set_db_cell(page.id, plan.columns[*at].id, Some(&value.to_string()))
                    .await?;
            }
        }
        Ok(plan.rows.len())
    }
}

/// What a CSV file brings to a database: its columns (new ones with id
/// 0) and its rows, each a title and values by column index.
struct CsvPlan {
    columns: Vec<Column>,
    rows: Vec<(String, Vec<(usize, Value)>)>,
}

/// Reads a CSV file whose first line names the columns: the column called
/// Name or Title (Nom, Titre), else the first, gives the rows' titles; a
/// name none of `columns` has makes a new column, of the kind its values
/// suggest. Every value is checked here, before anything is stored.
fn plan_csv(
    mut columns: Vec<Column>,
    bytes: &[u8],
    people: &[bureau_store::UserRecord],
) -> Result<CsvPlan> {
    let lines = read_csv(bytes)?;
    let (header, body) = lines
        .split_first()
        .ok_or_else(|| Error::invalid("file", "the CSV file is empty"))?;
    let title_at = header
        .iter()
        .position(|h| {
            let h = h.trim().to_lowercase();
            h == "name" || h == "title" || h == "nom" || h == "titre"
        })
        .unwrap_or(0);
    let mut targets: Vec<Option<usize>> = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        if i == title_at {
            targets.push(None);
            continue;
        }
        let name = check_name(name).map_err(|_| {
            Error::invalid(
                "file",
                format!("the column name {name:?} is empty or too long"),
            )
        })?;
        let at = match columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
        {
            Some(at) => at,
            None => {
                if columns.len() >= MAX_COLUMNS {
                    return Err(Error::invalid(
                        "file",
                        format!("a database has at most {MAX_COLUMNS} columns"),
                    ));
                }
                let values: Vec<&str> = body
                    .iter()
                    .filter_map(|line| line.get(i).map(String::as_str))
                    .collect();
                let (kind, choices) = guess_kind(&values);
                columns.push(Column {
                    id: 0,
                    name: name.to_owned(),
                    kind,
                    choices,
                });
                columns.len() - 1
            }
        };
        targets.push(Some(at));
    }
    let mut rows = Vec::with_capacity(body.len());
    for (n, line) in body.iter().enumerate() {
        let title = line.get(title_at).map_or("", |t| t.trim());
        let title = check_title(title).map_err(|_| {
            Error::invalid(
                "file",
                format!("line {}: the title is too long or not one line", n + 2),
            )
        })?;
        let mut values = Vec::new();
        for (i, text) in line.iter().enumerate() {
            let Some(Some(at)) = targets.get(i) else {
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let column = &mut columns[*at];
            let value = from_text(column, text, people).ok_or_else(|| {
                Error::invalid(
                    "file",
                    format!(
                        "line {}, column {}: {text:?} is not a {}",
                        n + 2,
                        column.name,
                        column.kind.as_str()
                    ),
                )
            })?;
            values.push((*at, value));
        }
        rows.push((title.to_owned(), values));
    }
    for column in &columns {
        if column.choices.len() > MAX_CHOICES {
            return Err(Error::invalid(
                "file",
                format!(
                    "{}: a select column has at most {MAX_CHOICES} choices",
                    column.name
                ),
            ));
        }
    }
    Ok(CsvPlan { columns, rows })
}

/// The header of the titles column in CSV: "Name", unless a column has
/// that name.
fn title_header(columns: &[Column]) -> String {
    if columns.iter().any(|c| c.name.eq_ignore_ascii_case("name")) {
        "Title".into()
    } else {
        "Name".into()
    }
}

/// A value as a Markdown table cell: pipes escaped, lines joined.
fn markdown_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
        .map_err(|_| Error::invalid("file", "the CSV file is not UTF-8 text"))?;
    // Spreadsheets in French write semicolons.
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::invalid("file", format!("line {}: {e}", n + 1)))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        lines.push(record.iter().map(str::to_owned).collect());
        if lines.len() > MAX_CSV_ROWS + 1 {
            return Err(Error::invalid(
                "file",
                format!("a CSV file brings at most {MAX_CSV_ROWS} rows at once"),
            ));
        }
    }
    Ok(lines)
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "a column needs a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            format!("a column name is one line of at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name)
}

fn check_choices(choices: Vec<Choice>) -> Result<Vec<Choice>> {
    if choices.len() > MAX_CHOICES {
        return Err(Error::invalid(
            "choices",
            format!("a select column has at most {MAX_CHOICES} choices"),
        ));
    }
    let mut out: Vec<Choice> = Vec::with_capacity(choices.len());
    for choice in choices {
        let name = check_name(&choice.name)
            .map_err(|_| Error::invalid("choices", "a choice is one line of text"))?;
        if out.iter().any(|c| c.name == name) {
            return Err(Error::invalid(
                "choices",
                format!("the choice {name:?} is there twice"),
            ));
        }
        if choice.color.len() > 20
            || !choice
                .color
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Error::invalid("choices", "a choice's colour is a hue name"));
        }
        out.push(Choice {
            name: name.to_owned(),
            color: choice.color,
        });
    }
    Ok(out)
}

/// A value checked against its column: `None` empties the cell.
fn check_value(column: &Column, value: &Value) -> std::result::Result<Option<Value>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let wrong = || format!("{value} is not a {}", column.kind.as_str());
    let checked = match column.kind {
        ColumnKind::Text => {
            let text = value.as_str().ok_or_else(wrong)?;
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(format!("a text has at most {MAX_TEXT_CHARS} characters"));
            }
            if text.is_empty() {
                return Ok(None);
            }
            Value::String(text.to_owned())
        }
        ColumnKind::Number => {
            let number = value.as_f64().filter(|n| n.is_finite()).ok_or_else(wrong)?;
            serde_json::json!(number)
        }
        ColumnKind::Date => {
            let date = value
                .as_str()
                .filter(|d| is_date(d))
                .ok_or_else(|| format!("{value} is not a date (YYYY-MM-DD)"))?;
            Value::String(date.to_owned())
        }
        ColumnKind::Select => {
            let name = value.as_str().ok_or_else(wrong)?;
            if !column.choices.iter().any(|c| c.name == name) {
                return Err(format!("{name:?} is not one of the column's choices"));
            }
            Value::String(name.to_owned())
        }
        ColumnKind::Person => Value::from(value.as_i64().ok_or_else(wrong)?),
        ColumnKind::Checkbox => Value::Bool(value.as_bool().ok_or_else(wrong)?),
        ColumnKind::Link => {
            let link = value.as_str().ok_or_else(wrong)?;
            if !is_link(link) {
                return Err(format!(
                    "{link:?} is not a web or mail address (https://…, mailto:…)"
                ));
            }
            Value::String(link.to_owned())
        }
    };
    Ok(Some(checked))
}

fn is_link(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    text.len() <= 2048
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && ["https://", "http://", "mailto:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
}

/// A calendar date written YYYY-MM-DD.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// A value as CSV text.
fn as_text(kind: ColumnKind, value: &Value, people: &HashMap<i64, String>) -> String {
    match (kind, value) {
        (ColumnKind::Person, Value::Number(id)) => id
            .as_i64()
            .and_then(|id| people.get(&id).cloned())
            .unwrap_or_default(),
        (_, Value::String(text)) => text.clone(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Number(n)) => number_text(n.as_f64().unwrap_or(0.0)),
        _ => String::new(),
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A value read from CSV text for a column, `None` when it does not fit;
/// a select gains a choice it lacks.
fn from_text(
    column: &mut Column,
    text: &str,
    people: &[bureau_store::UserRecord],
) -> Option<Value> {
    match column.kind {
        ColumnKind::Text => {
            (text.chars().count() <= MAX_TEXT_CHARS).then(|| Value::String(text.to_owned()))
        }
        ColumnKind::Number => parse_number(text).map(|n| serde_json::json!(n)),
        ColumnKind::Date => is_date(text).then(|| Value::String(text.to_owned())),
        ColumnKind::Checkbox => parse_bool(text).map(Value::Bool),
        ColumnKind::Link => is_link(text).then(|| Value::String(text.to_owned())),
        ColumnKind::Person => people
            .iter()
            .find(|p| {
                p.display_name.eq_ignore_ascii_case(text) || p.name.eq_ignore_ascii_case(text)
            })
            .map(|p| Value::from(p.id.0)),
        ColumnKind::Select => {
            if text.chars().count() > MAX_NAME_CHARS || text.chars().any(char::is_control) {
                return None;
            }
            if !column.choices.iter().any(|c| c.name == text) {
                column.choices.push(Choice {
                    name: text.to_owned(),
                    color: String::new(),
                });
            }
            Some(Value::String(text.to_owned()))
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let n = cleaned
        .parse::<f64>()
        .ok()
        // French decimals: 3,5
        .or_else(|| cleaned.replace(',', ".").parse::<f64>().ok())?;
    n.is_finite().then_some(n)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "oui" | "vrai" | "x" | "1" | "✓" => Some(true),
        "false" | "no" | "non" | "faux" | "0" => Some(false),
        _ => None,
    }
}

/// The kind a new column from CSV gets: the narrowest every value fits.
fn guess_kind(values: &[&str]) -> (ColumnKind, Vec<Choice>) {
    let filled: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if filled.is_empty() {
        return (ColumnKind::Text, Vec::new());
    }
    if filled
        .iter()
        .all(|v| parse_bool(v).is_some() && parse_number(v).is_none())
    {
        return (ColumnKind::Checkbox, Vec::new());
    }
    if filled.iter().all(|v| parse_number(v).is_some()) {
        return (ColumnKind::Number, Vec::new());
    }
    if filled.iter().all(|v| is_date(v)) {
        return (ColumnKind::Date, Vec::new());
    }
    if filled.iter().all(|v| is_link(v)) {
        return (ColumnKind::Link, Vec::new());
    }
    (ColumnKind::Text, Vec::new())
}

/// A value kept through a change of kind, if it fits the new one.
fn convert(
    value: &Value,
    from: ColumnKind,
    to: ColumnKind,
    choices: &mut Vec<Choice>,
) -> Option<Value> {
    if from == to && to != ColumnKind::Select {
        return Some(value.clone());
    }
    let text = as_text(from, value, &HashMap::new());
    if text.is_empty() {
        return None;
    }
    let mut column = Column {
        id: 0,
        name: String::new(),
        kind: to,
        choices: std::mem::take(choices),
    };
    let out = from_text(&mut column, &text, &[]);
    *choices = column.choices;
    out
}

/// A position between the `index`-th and the next of `positions`.
fn between(positions: &[f64], index: usize) -> f64 {
    let index = index.min(positions.len());
    match (
        index.checked_sub(1).map(|i| &positions[i]),
        positions.get(index),
    ) {
        (None, None) => 1.0,
        (None, Some(next)) => next - 1.0,
        (Some(prev), None) => prev.floor() + 1.0,
        (Some(prev), Some(next)) => (prev + next) / 2.0,
    }
}

/// A view checked against the columns.
fn check_view(view: View, columns: &[Column]) -> Result<View> {
    if view.sorts.len() > MAX_VIEW_RULES || view.filters.len() > MAX_VIEW_RULES {
        return Err(Error::invalid(
            "view",
            format!("a view has at most {MAX_VIEW_RULES} sorts and {MAX_VIEW_RULES} filters"),
        ));
    }
    let kind_of = |field: Field| -> Result<ColumnKind> {
        match field {
            Field::Named(Named::Title) => Ok(ColumnKind::Text),
            Field::Column(id) => columns
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.kind)
                .ok_or_else(|| {
                    Error::invalid("view", format!("there is no column {id} in this database"))
                }),
        }
    };
    for sort in &view.sorts {
        kind_of(sort.field)?;
    }
    let mut filters = Vec::with_capacity(view.filters.len());
    for filter in view.filters {
        let kind = kind_of(filter.field)?;
        let allowed: &[Op] = match kind {
            ColumnKind::Text | ColumnKind::Link => &[
                Op::Is,
                Op::IsNot,
                Op::Contains,
                Op::NotContains,
                Op::IsEmpty,
                Op::IsNotEmpty,
            ],
            ColumnKind::Number => &[
                Op::Is,
                Op::IsNot,
                Op::Below,
                Op::Above,
                Op::IsEmpty,
                Op::IsNotEmpty,
            ],
            ColumnKind::Date => &[
                Op::Is,
                Op::IsNot,
                Op::Before,
                Op::After,
                Op::IsEmpty,
                Op::IsNotEmpty,
            ],
            ColumnKind::Select | ColumnKind::Person => {
                &[Op::Is, Op::IsNot, Op::IsEmpty, Op::IsNotEmpty]
            }
            ColumnKind::Checkbox => &[Op::Is],
        };
        if !allowed.contains(&filter.op) {
            return Err(Error::invalid(
                "view",
                format!(
                    "a {} column cannot be filtered with {:?}",
                    kind.as_str(),
                    filter.op
                ),
            ));
        }
        let needs_value = !matches!(filter.op, Op::IsEmpty | Op::IsNotEmpty);
        let value = if needs_value {
            let probe = Column {
                id: 0,
                name: String::new(),
                kind: match (kind, filter.op) {
                    // Words to look for, not a whole address.
                    (ColumnKind::Link, _) => ColumnKind::Text,
                    (kind, _) => kind,
                },
                // A filter may name any text for a select.
                choices: match &filter.value {
                    Value::String(s) if kind == ColumnKind::Select => vec![Choice {
                        name: s.clone(),
                        color: String::new(),
                    }],
                    _ => Vec::new(),
                },
            };
            let probe = if kind == ColumnKind::Person && filter.value == Value::String("me".into())
            {
                Some(filter.value.clone())
            } else {
                check_value(&probe, &filter.value)
                    .map_err(|why| Error::invalid("view", format!("a filter's value: {why}")))?
            };
            probe.ok_or_else(|| Error::invalid("view", "this filter needs a value"))?
        } else {
            Value::Null
        };
        filters.push(Filter { value, ..filter });
    }
    Ok(View {
        sorts: view.sorts,
        filters,
    })
}

fn field_value<'a>(row: &'a Row, field: Field, title: &'a Value) -> Option<&'a Value> {
    match field {
        Field::Named(Named::Title) => Some(title).filter(|t| t.as_str() != Some("")),
        Field::Column(id) => row.cells.get(&id),
    }
}

/// The rows kept by every filter, in the order of the sorts; rows equal
/// by every sort keep their manual order. Empty values sort last.
fn apply(view: &View, columns: &[Column], rows: Vec<Row>, me: UserId) -> Vec<Row> {
    let kind_of = |field: Field| match field {
        Field::Named(Named::Title) => Some(ColumnKind::Text),
        Field::Column(id) => columns.iter().find(|c| c.id == id).map(|c| c.kind),
    };
    let mut kept: Vec<(Row, Value)> = rows
        .into_iter()
        .map(|row| {
            let title = Value::String(row.page.title.clone());
            (row, title)
        })
        .filter(|(row, title)| {
            view.filters.iter().all(|filter| {
                let Some(kind) = kind_of(filter.field) else {
                    return true;
                };
                keeps(filter, kind, field_value(row, filter.field, title), me)
            })
        })
        .collect();
    let choice_rank = |field: Field, value: &Value| -> Option<usize> {
        let Field::Column(id) = field else {
            return None;
        };
        let column = columns.iter().find(|c| c.id == id)?;
        column
            .choices
            .iter()
            .position(|c| Some(c.name.as_str()) == value.as_str())
    };
    kept.sort_by(|(a, ta), (b, tb)| {
        for sort in &view.sorts {
            let Some(kind) = kind_of(sort.field) else {
                continue;
            };
            let (x, y) = (
                field_value(a, sort.field, ta),
                field_value(b, sort.field, tb),
            );
            let order = match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => {
                    let order = match kind {
                        ColumnKind::Number => x
                            .as_f64()
                            .partial_cmp(&y.as_f64())
                            .unwrap_or(Ordering::Equal),
                        ColumnKind::Checkbox | ColumnKind::Person => x
                            .as_i64()
                            .cmp(&y.as_i64())
                            .then(x.as_bool().cmp(&y.as_bool())),
                        ColumnKind::Select => {
                            choice_rank(sort.field, x).cmp(&choice_rank(sort.field, y))
                        }
                        ColumnKind::Date => x.as_str().cmp(&y.as_str()),
                        ColumnKind::Text | ColumnKind::Link => {
                            compare_text(x.as_str().unwrap_or(""), y.as_str().unwrap_or(""))
                        }
                    };
                    if sort.descending {
                        order.reverse()
                    } else {
                        order
                    }
                }
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    });
    kept.into_iter().map(|(row, _)| row).collect()
}

/// Text in a reader's order: case and accents second.
fn compare_text(a: &str, b: &str) -> Ordering {
    let fold = |s: &str| -> String {
        s.chars()
            .map(base_letter)
            .flat_map(char::to_lowercase)
            .collect()
    };
    fold(a).cmp(&fold(b)).then_with(|| a.cmp(b))
}

/// A letter without its accent, for the French letters.
fn base_letter(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => 'a',
        'ç' | 'Ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => 'i',
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => 'u',
        'ÿ' | 'Ÿ' => 'y',
        other => other,
    }
}

fn keeps(filter: &Filter, kind: ColumnKind, value: Option<&Value>, me: UserId) -> bool {
    let wanted = match (&filter.value, kind) {
        (Value::String(s), ColumnKind::Person) if s == "me" => Value::from(me.0),
        (v, _) => v.clone(),
    };
    let contains = |v: Option<&Value>| {
        let hay = v.and_then(Value::as_str).unwrap_or("").to_lowercase();
        hay.contains(&wanted.as_str().unwrap_or("").to_lowercase())
    };
    let equal = |v: Option<&Value>| match (v, kind) {
        (None, ColumnKind::Checkbox) => wanted == Value::Bool(false),
        (None, _) => false,
        (Some(v), ColumnKind::Text | ColumnKind::Link) => {
            v.as_str().map(str::to_lowercase) == wanted.as_str().map(str::to_lowercase)
        }
        (Some(v), ColumnKind::Number) => v.as_f64() == wanted.as_f64(),
        (Some(v), _) => *v == wanted,
    };
    let compare = |v: Option<&Value>| -> Option<Ordering> {
        let v = v?;
        match kind {
            ColumnKind::Number => v.as_f64()?.partial_cmp(&wanted.as_f64()?),
            _ => Some(v.as_str()?.cmp(wanted.as_str()?)),
        }
    };
    match filter.op {
        Op::Is => equal(value),
        Op::IsNot => !equal(value),
        Op::Contains => contains(value),
        Op::NotContains => !contains(value),
        Op::Before | Op::Below => compare(value) == Some(Ordering::Less),
        Op::After | Op::Above => compare(value) == Some(Ordering::Greater),
        Op::IsEmpty => value.is_none(),
        Op::IsNotEmpty => value.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn column(id: i64, kind: ColumnKind) -> Column {
        Column {
            id,
            name: format!("c{id}"),
            kind,
            choices: vec![
                Choice {
                    name: "Low".into(),
                    color: String::new(),
                },
                Choice {
                    name: "High".into(),
                    color: String::new(),
                },
            ],
        }
    }

    fn row(id: i64, title: &str, cells: &[(i64, Value)]) -> Row {
        Row {
            page: PageRecord {
                id,
                space_id: 1,
                parent_id: Some(99),
                position: id as f64,
                title: title.into(),
                icon: String::new(),
                restricted: false,
                locked: false,
                created_by: None,
                created_at: 0,
                updated_by: None,
                updated_at: 0,
                archived_at: None,
                template: false,
                database: false,
            },
            cells: cells.iter().cloned().collect(),
        }
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        let ok = |kind, v: Value| check_value(&column(1, kind), &v);
        assert_eq!(ok(ColumnKind::Number, json!(3.5)), Ok(Some(json!(3.5))));
        assert!(ok(ColumnKind::Number, json!("3")).is_err());
        assert_eq!(
            ok(ColumnKind::Date, json!("2024-02-29")),
            Ok(Some(json!("2024-02-29")))
        );
        assert!(ok(ColumnKind::Date, json!("2023-02-29")).is_err());
        assert!(ok(ColumnKind::Date, json!("2023-13-01")).is_err());
        assert!(ok(ColumnKind::Select, json!("Medium")).is_err());
        assert_eq!(
            ok(ColumnKind::Select, json!("High")),
            Ok(Some(json!("High")))
        );
        assert!(ok(ColumnKind::Link, json!("javascript:alert(1)")).is_err());
        assert!(ok(ColumnKind::Link, json!("https://")).is_err());
        assert_eq!(ok(ColumnKind::Checkbox, json!(true)), Ok(Some(json!(true))));
        assert_eq!(ok(ColumnKind::Text, json!(null)), Ok(None));
        assert_eq!(ok(ColumnKind::Text, json!("")), Ok(None));
        assert!(ok(ColumnKind::Person, json!("bob")).is_err());
    }

    #[test]
    fn filters_and_sorts() {
        let columns = vec![
            column(1, ColumnKind::Number),
            column(2, ColumnKind::Select),
            column(3, ColumnKind::Checkbox),
        ];
        let rows = vec![
            row(1, "émile", &[(1, json!(3.0)), (2, json!("High"))]),
            row(2, "Bruno", &[(1, json!(10.0)), (3, json!(true))]),
            row(3, "alice", &[(2, json!("Low"))]),
            row(4, "Eve", &[(1, json!(-1.0)), (2, json!("High"))]),
        ];
        let titles = |view: View| -> Vec<String> {
            apply(
                &check_view(view, &columns).unwrap(),
                &columns,
                rows.clone(),
                UserId(1),
            )
            .into_iter()
            .map(|r| r.page.title)
            .collect()
        };
        // Text in a reader's order, accents aside.
        let by_title = View {
            sorts: vec![Sort {
                field: Field::Named(Named::Title),
                descending: false,
            }],
            filters: vec![],
        };
        assert_eq!(titles(by_title), ["alice", "Bruno", "émile", "Eve"]);
        // Empty numbers last, both ways.
        let by_number = |descending| View {
            sorts: vec![Sort {
                field: Field::Column(1),
                descending,
            }],
            filters: vec![],
        };
        assert_eq!(titles(by_number(false)), ["Eve", "émile", "Bruno", "alice"]);
        assert_eq!(titles(by_number(true)), ["Bruno", "émile", "Eve", "alice"]);
        // Selects in the order of their choices, then the manual order.
        let by_select = View {
            sorts: vec![Sort {
                field: Field::Column(2),
                descending: false,
            }],
            filters: vec![],
        };
        assert_eq!(titles(by_select), ["alice", "émile", "Eve", "Bruno"]);
        let filter = |field, op, value| View {
            sorts: vec![],
            filters: vec![Filter { field, op, value }],
        };
        assert_eq!(
            titles(filter(Field::Column(1), Op::Above, json!(2))),
            ["émile", "Bruno"]
        );
        assert_eq!(
            titles(filter(Field::Column(2), Op::Is, json!("High"))),
            ["émile", "Eve"]
        );
        assert_eq!(
            titles(filter(Field::Column(2), Op::IsEmpty, json!(null))),
            ["Bruno"]
        );
        assert_eq!(
            titles(filter(Field::Column(3), Op::Is, json!(false))),
            ["émile", "alice", "Eve"]
        );
        assert_eq!(
            titles(filter(Field::Named(Named::Title), Op::Contains, json!("E"))),
            ["émile", "alice", "Eve"]
        );
        // Filters that make no sense are refused.
        assert!(check_view(filter(Field::Column(3), Op::Contains, json!("x")), &columns).is_err());
        assert!(check_view(filter(Field::Column(1), Op::Above, json!("x")), &columns).is_err());
        assert!(check_view(filter(Field::Column(9), Op::IsEmpty, json!(null)), &columns).is_err());
    }

    #[test]
    fn csv_reads_commas_semicolons_and_kinds() {
        let lines =
            read_csv("\u{feff}Name;Amount;Paid\nRent;1 200,50;oui\n;;\n".as_bytes()).unwrap();
        assert_eq!(
            lines,
            vec![
                vec!["Name", "Amount", "Paid"],
                vec!["Rent", "1 200,50", "oui"]
            ]
        );
        assert_eq!(parse_number("1 200,50"), Some(1200.5));
        assert_eq!(guess_kind(&["oui", "non", ""]).0, ColumnKind::Checkbox);
        assert_eq!(guess_kind(&["1", "2.5"]).0, ColumnKind::Number);
        assert_eq!(guess_kind(&["2024-01-02", ""]).0, ColumnKind::Date);
        assert_eq!(
            guess_kind(&["https://a.example", "mailto:x@y"]).0,
            ColumnKind::Link
        );
        assert_eq!(guess_kind(&["1", "two"]).0, ColumnKind::Text);
        assert!(read_csv(b"\xff\xfe").is_err());
    }

    #[test]
    fn a_new_kind_keeps_what_fits() {
        let mut choices = Vec::new();
        assert_eq!(
            convert(
                &json!("12"),
                ColumnKind::Text,
                ColumnKind::Number,
                &mut choices
            ),
            Some(json!(12.0))
        );
        assert_eq!(
            convert(
                &json!("soon"),
                ColumnKind::Text,
                ColumnKind::Number,
                &mut choices
            ),
            None
        );
        assert_eq!(
            convert(
                &json!(3.0),
                ColumnKind::Number,
                ColumnKind::Text,
                &mut choices
            ),
            Some(json!("3"))
        );
        assert_eq!(
            convert(
                &json!("Done"),
                ColumnKind::Text,
                ColumnKind::Select,
                &mut choices
            ),
            Some(json!("Done"))
        );
        assert_eq!(choices.len(), 1);
        assert_eq!(between(&[1.0, 2.0, 3.0], 0), 0.0);
        assert_eq!(between(&[1.0, 2.0, 3.0], 1), 1.5);
        assert_eq!(between(&[1.0, 2.0, 3.0], 5), 4.0);
    }
}
