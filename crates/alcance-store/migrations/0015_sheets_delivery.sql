-- Alcance store, schema version 15: scheduled reports written to a Google Sheets
-- spreadsheet (issue 13 point 5; docs/reports.md "Scheduled delivery", docs/schema.md).
-- Forward-only. (0014 is another branch's migration.)
-- 1. report_schedules.sheets: 1 when the schedule also (or only) writes each period's
--    report to a spreadsheet; spreadsheet_id is that spreadsheet, NULL until the first
--    delivery creates it. A schedule goes somewhere: to addresses, to Sheets, or both
--    (an empty recipients array is allowed when sheets = 1; checked by alcance-app).
-- 2. report_deliveries.mailed_at / sheet_title: which destinations of a period are done,
--    so a retry after a half-failed attempt (mail sent, Sheets refused) does not send the
--    email a second time. The Google tokens are in the vault, never here.

ALTER TABLE report_schedules ADD COLUMN sheets INTEGER NOT NULL DEFAULT 0 CHECK (sheets IN (0, 1));
ALTER TABLE report_schedules ADD COLUMN spreadsheet_id TEXT; -- Sheets API spreadsheetId

ALTER TABLE report_deliveries ADD COLUMN mailed_at TEXT;   -- UTC, when the SMTP server took the email
ALTER TABLE report_deliveries ADD COLUMN sheet_title TEXT; -- the sheet written, e.g. 2026-W49
