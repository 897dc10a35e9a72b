-- Alcance store, schema version 2: campaigns. Forward-only: never edit this file once
-- released; add a new NNNN_description.sql instead.
--
-- A campaign groups accounts (brands and influencers, each with a role), posts (a post may
-- belong to several campaigns), costs and conversions, so a campaign report can compute
-- reach, engagement, CPM, CPE, cost per conversion and ROI per influencer and overall.
--
-- Conventions beyond 0001's:
-- * Calendar dates (campaign start / end, the day a cost was spent or a conversion
--   happened) are `YYYY-MM-DD` text, UTC days.
-- * Money is REAL in the currency named beside it (ISO 4217 code, three upper-case
--   letters). Amounts and revenue are >= 0. Nothing converts currencies: a report sums only
--   the rows in the campaign's currency and lists the others.
-- * `import_key` is set on rows imported from CSV: a SHA-256 of the row's normalised fields
--   and of how many identical rows came before it in the same file. Re-importing a file (or
--   a corrected or longer version of it) skips rows already imported instead of counting
--   them twice. Rows entered by hand have no key (NULL keys never collide).

CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    starts_on  TEXT    NOT NULL CHECK (starts_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    ends_on    TEXT    CHECK (ends_on IS NULL
                              OR (ends_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND ends_on >= starts_on)),
    budget     REAL    CHECK (budget IS NULL OR budget >= 0),         -- in `currency`
    currency   TEXT    NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'), -- ISO 4217
    goal       TEXT    NOT NULL
                       CHECK (goal IN ('awareness', 'engagement', 'traffic', 'conversions', 'followers', 'other')),
    notes      TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;

-- Accounts taking part: the brand(s) and the influencers.
CREATE TABLE campaign_accounts (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('brand', 'influencer')),
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, account_id)
) STRICT;

CREATE INDEX campaign_accounts_account ON campaign_accounts (account_id);

-- Posts counted in a campaign (many-to-many: a post may serve several campaigns).
CREATE TABLE campaign_posts (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, post_id)
) STRICT;

CREATE INDEX campaign_posts_post ON campaign_posts (post_id);

-- Money spent: influencer fees, boosts, production. `account_id` attributes the cost to
-- one account of the campaign (NULL: the campaign as a whole; set NULL if the account is
-- deleted, so the campaign total keeps it).
CREATE TABLE campaign_costs (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    account_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    spent_on    TEXT    NOT NULL CHECK (spent_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    amount      REAL    NOT NULL CHECK (amount >= 0),
    currency    TEXT    NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    note        TEXT,
    import_key  TEXT,
    created_at  TEXT    NOT NULL,
    UNIQUE (campaign_id, import_key)
) STRICT;

-- Conversions (sales, sign-ups) and their revenue, entered or imported from UTM-tagged
-- sales exports. `count` is a whole number of conversions; `revenue` NULL is unknown.
CREATE TABLE campaign_conversions (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    account_id   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    converted_on TEXT    NOT NULL CHECK (converted_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    count        INTEGER NOT NULL CHECK (count >= 0),
    revenue      REAL    CHECK (revenue IS NULL OR revenue >= 0),
    currency     TEXT    NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    source       TEXT,
    utm_campaign TEXT,
    utm_source   TEXT,
    utm_medium   TEXT,
    import_key   TEXT,
    created_at   TEXT    NOT NULL,
    UNIQUE (campaign_id, import_key)
) STRICT;

CREATE INDEX campaign_costs_account ON campaign_costs (account_id);
CREATE INDEX campaign_conversions_account ON campaign_conversions (account_id);
