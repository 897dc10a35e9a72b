-- Alcance store, schema version 12: the permissions each connection was granted (issue 13
-- point 6; docs/schema.md, accounts). Scopes are not secrets (the tokens stay in the vault).
-- granted_scopes:  the scopes the platform reported as granted (the token answer's `scope`,
--                  Instagram's `permissions`, Facebook's `/me/permissions`), one space
--                  between them, sorted; NULL when the platform did not say (rows written
--                  before this version, tracked profiles, tokens that carry no scope).
-- declined_scopes: the scopes the user declined on the consent screen, where the platform
--                  reports them (Facebook `/me/permissions` status `declined`); same form.
-- connected_by:    the platform user whose login connected the account, where it differs
--                  from the account (a Facebook Page: the Facebook user id, whose user
--                  token `DELETE /me/permissions` revokes when the last Page goes).
-- Written at connect, and at token refresh when the answer carries `scope`.

ALTER TABLE accounts ADD COLUMN granted_scopes TEXT;
ALTER TABLE accounts ADD COLUMN declined_scopes TEXT;
ALTER TABLE accounts ADD COLUMN connected_by TEXT;
