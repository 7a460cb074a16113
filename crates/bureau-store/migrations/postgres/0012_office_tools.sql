-- Office: the company's other tools (CRM, accounting, ...), who needs
-- them, and whether the server could reach them.

-- hosting: saas | self_hosted. access: direct | vpn | none (how people
-- reach it from home). last_status: reachable | unreachable | refused
-- (the address is one the check may not visit), NULL before any check.
CREATE TABLE tools (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    hosting TEXT NOT NULL,
    access TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    everyone BIGINT NOT NULL DEFAULT 0,
    last_check_at BIGINT,
    last_status TEXT,
    last_detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Who needs a tool (beside `everyone`): a person or a group per row.
CREATE TABLE tool_members (
    tool_id BIGINT NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups_(id) ON DELETE CASCADE
);
CREATE INDEX tool_members_tool ON tool_members(tool_id);
