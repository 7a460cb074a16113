-- Office: the company's equipment and who holds it. Every assignment is
-- kept (the history); the current holder is the row without `until_at`.

-- kind: laptop | desktop | webcam | headset | phone | 4g_key | sim |
-- phone_line | other. status: in_stock | assigned | in_repair | retired.
-- Amounts in cents; cap_gb 0 means an unlimited plan.
CREATE TABLE equipment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    purchase_date TEXT,
    cost_cents INTEGER,
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT '',
    cap_gb INTEGER,
    renewal_day INTEGER,
    monthly_cents INTEGER,
    phone_number TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE equipment_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    equipment_id INTEGER NOT NULL REFERENCES equipment(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    by_user INTEGER NOT NULL REFERENCES users(id),
    from_at INTEGER NOT NULL,
    until_at INTEGER
);
CREATE UNIQUE INDEX equipment_current_holder ON equipment_assignments(equipment_id) WHERE until_at IS NULL;
CREATE INDEX equipment_assignments_user ON equipment_assignments(user_id, until_at);
