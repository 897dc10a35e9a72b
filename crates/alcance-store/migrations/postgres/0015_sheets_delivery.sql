-- Alcance store on PostgreSQL, schema version 15: scheduled reports written to a Google
-- Sheets spreadsheet, as ../0015_sheets_delivery.sql (SQLite). Forward-only.

ALTER TABLE report_schedules ADD COLUMN sheets BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE report_schedules ADD COLUMN spreadsheet_id TEXT COLLATE "C"; -- Sheets API spreadsheetId

ALTER TABLE report_deliveries ADD COLUMN mailed_at TEXT COLLATE "C";   -- UTC, when the SMTP server took the email
ALTER TABLE report_deliveries ADD COLUMN sheet_title TEXT COLLATE "C"; -- the sheet written, e.g. 2026-W49
