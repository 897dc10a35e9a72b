//! Report schedules, their deliveries and the SMTP settings (schema version 13), on both
//! engines: rows round-trip; a period is claimed once; a retry is taken by one caller; a
//! failure is stored redacted with its next attempt; the settings keep no password.

use alcance_store::campaigns::{Goal, NewCampaign};
use alcance_store::delivery::{
    DeliveryOutcome, PdfLanguage, Recipients, ReportCadence, ReportFormat, ReportFormats, ReportKind,
    ReportScheduleSettings,
};
use alcance_store::testing;
use alcance_store::{both_engines, Engine, StoreError};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().expect("valid time")
}

fn weekly() -> ReportScheduleSettings {
    ReportScheduleSettings {
        kind: ReportKind::WeeklyReport,
        campaign_id: None,
        cadence: ReportCadence::Weekly,
        weekday: Some(0),
        day_of_month: None,
        hour: 9,
        time_zone: "America/Sao_Paulo".into(),
        language: PdfLanguage::PtBr,
        recipients: Recipients::from(vec!["ana@agency.example".into(), "Bia <bia@client.example>".into()]),
        formats: ReportFormats::new([ReportFormat::Pdf, ReportFormat::Xlsx]),
        sheets: false,
    }
}

async fn schedules_round_trip(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let added = store.add_report_schedule(&weekly(), at(20, 10)).await.unwrap();
    assert!(added.enabled);
    assert_eq!(added.settings, weekly());
    assert_eq!(added.created_at, at(20, 10));
    // The row serializes flat, with the typed values as their keys.
    let json = serde_json::to_value(&added).unwrap();
    assert_eq!(json["kind"], "weekly_report");
    assert_eq!(json["language"], "pt-BR");
    assert_eq!(json["formats"], serde_json::json!(["pdf", "xlsx"]));
    assert_eq!(json["recipients"][1], "Bia <bia@client.example>");
    assert_eq!(json["id"], added.id);
    let campaign = store
        .create_campaign(&NewCampaign {
            name: "Summer".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            ends_on: None,
            budget: None,
            currency: "BRL".into(),
            goal: Goal::Engagement,
            notes: None,
        })
        .await
        .unwrap();
    let monthly = ReportScheduleSettings {
        kind: ReportKind::CampaignReport,
        campaign_id: Some(campaign),
        cadence: ReportCadence::Monthly,
        weekday: None,
        day_of_month: Some(5),
        language: PdfLanguage::En,
        formats: ReportFormats::new([ReportFormat::Pdf]),
        ..weekly()
    };
    let m = store.add_report_schedule(&monthly, at(20, 11)).await.unwrap();
    assert_eq!(
        (m.settings.campaign_id, m.settings.day_of_month, m.settings.weekday),
        (Some(campaign), Some(5), None)
    );
    assert_eq!(store.report_schedules().await.unwrap(), vec![added.clone(), m.clone()]);

    // The table refuses what the app would not write.
    for bad in [
        ReportScheduleSettings {
            kind: ReportKind::CampaignReport,
            ..weekly()
        },
        ReportScheduleSettings {
            day_of_month: Some(31),
            cadence: ReportCadence::Monthly,
            weekday: None,
            ..weekly()
        },
        ReportScheduleSettings {
            cadence: ReportCadence::Monthly,
            ..weekly()
        },
        ReportScheduleSettings { hour: 24, ..weekly() },
    ] {
        let e = store.add_report_schedule(&bad, at(20, 12)).await.unwrap_err();
        assert!(matches!(e, StoreError::Constraint { .. }), "{bad:?}: {e:?}");
    }

    store.set_report_schedule_enabled(added.id, false).await.unwrap();
    assert!(!store.report_schedule(added.id).await.unwrap().enabled);
    store.remove_report_schedule(m.id).await.unwrap();
    assert!(matches!(
        store.report_schedule(m.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_report_schedule_enabled(m.id, true).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn a_period_is_claimed_once_and_a_retry_taken_once(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let s = store.add_report_schedule(&weekly(), at(1, 0)).await.unwrap();
    let period = (at(23, 3), at(30, 3));
    let now = at(30, 12);
    assert!(store
        .claim_report_delivery(s.id, period, now, now + Duration::minutes(15))
        .await
        .unwrap());
    assert!(!store
        .claim_report_delivery(s.id, period, now, now + Duration::minutes(15))
        .await
        .unwrap());
    // The attempt in flight is not due for a retry.
    assert!(store.due_report_retries(now).await.unwrap().is_empty());

    let retry = now + Duration::minutes(1);
    store
        .finish_delivery_attempt(
            s.id,
            period.0,
            &DeliveryOutcome::Failed {
                error: "connection refused (url smtp://x?access_token=abc123)".into(),
                retry_at: Some(retry),
            },
        )
        .await
        .unwrap();
    let rows = store.report_deliveries(s.id, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    let d = &rows[0];
    assert_eq!(
        (d.status.as_str(), d.attempts, d.next_attempt_at),
        ("pending", 1, Some(retry))
    );
    let error = d.last_error.clone().unwrap();
    assert!(
        error.contains("connection refused") && !error.contains("abc123"),
        "{error}"
    );
    assert!(store.due_report_retries(now).await.unwrap().is_empty());
    let due = store.due_report_retries(retry).await.unwrap();
    assert_eq!(due, rows);

    // Two workers read the same row: one takes the retry.
    let later = retry + Duration::minutes(15);
    assert!(store.take_delivery_retry(&due[0], retry, later).await.unwrap());
    assert!(!store.take_delivery_retry(&due[0], retry, later).await.unwrap());
    let sent_at = retry + Duration::seconds(3);
    store
        .finish_delivery_attempt(
            s.id,
            period.0,
            &DeliveryOutcome::Sent {
                at: sent_at,
                message_id: Some("<m1@alcance.local>".into()),
            },
        )
        .await
        .unwrap();
    let d = store.report_deliveries(s.id, 10).await.unwrap().remove(0);
    assert_eq!(
        (d.status.as_str(), d.attempts, d.sent_at, d.next_attempt_at),
        ("sent", 2, Some(sent_at), None)
    );
    assert_eq!(d.message_id.as_deref(), Some("<m1@alcance.local>"));
    assert!(store
        .due_report_retries(later + Duration::days(1))
        .await
        .unwrap()
        .is_empty());

    // Giving up: failed, no next attempt.
    let p2 = (at(16, 3), at(23, 3));
    assert!(store.claim_report_delivery(s.id, p2, now, now).await.unwrap());
    store
        .finish_delivery_attempt(
            s.id,
            p2.0,
            &DeliveryOutcome::Failed {
                error: "550 mailbox unavailable".into(),
                retry_at: None,
            },
        )
        .await
        .unwrap();
    let d = store.report_deliveries(s.id, 10).await.unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!((d[1].status.as_str(), d[1].next_attempt_at), ("failed", None));
    assert!(store
        .due_report_retries(later + Duration::days(1))
        .await
        .unwrap()
        .is_empty());
}

async fn mail_settings_round_trip(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    assert_eq!(store.mail_settings().await.unwrap(), None);
    store
        .set_mail_settings(
            "smtp://bot@mail.example?tls=required",
            "Alcance <r@a.example>",
            at(1, 0),
        )
        .await
        .unwrap();
    store
        .set_mail_settings("smtps://bot@mail.example", "r@a.example", at(2, 0))
        .await
        .unwrap();
    let m = store.mail_settings().await.unwrap().unwrap();
    assert_eq!(
        (m.smtp_url.as_str(), m.sender.as_str(), m.updated_at),
        ("smtps://bot@mail.example", "r@a.example", at(2, 0))
    );
}

async fn sheets_columns_round_trip(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let only_sheets = ReportScheduleSettings {
        recipients: Recipients::default(),
        sheets: true,
        ..weekly()
    };
    let s = store.add_report_schedule(&only_sheets, at(20, 10)).await.unwrap();
    assert!(s.settings.sheets && s.settings.recipients.is_empty());
    assert_eq!(s.spreadsheet_id, None);
    store
        .set_report_schedule_spreadsheet(s.id, Some("sheet-abc"))
        .await
        .unwrap();
    assert_eq!(
        store.report_schedule(s.id).await.unwrap().spreadsheet_id.as_deref(),
        Some("sheet-abc")
    );
    assert!(matches!(
        store.set_report_schedule_spreadsheet(999, None).await,
        Err(StoreError::NotFound { .. })
    ));
    let period = (at(16, 3), at(23, 3));
    let now = at(23, 12);
    assert!(store.claim_report_delivery(s.id, period, now, now).await.unwrap());
    store
        .record_delivery_mailed(s.id, period.0, now, "<m2@alcance.local>")
        .await
        .unwrap();
    store.record_delivery_sheet(s.id, period.0, "2026-W47").await.unwrap();
    // A Sent without a Message-ID keeps the one recorded with the email.
    store
        .finish_delivery_attempt(
            s.id,
            period.0,
            &DeliveryOutcome::Sent {
                at: now,
                message_id: None,
            },
        )
        .await
        .unwrap();
    let d = store.report_deliveries(s.id, 1).await.unwrap().remove(0);
    assert_eq!(
        (
            d.mailed_at,
            d.message_id.as_deref(),
            d.sheet_title.as_deref(),
            d.status.as_str()
        ),
        (Some(now), Some("<m2@alcance.local>"), Some("2026-W47"), "sent")
    );
}

both_engines!(
    sheets_columns_round_trip,
    schedules_round_trip,
    a_period_is_claimed_once_and_a_retry_taken_once,
    mail_settings_round_trip,
);

/// The attachments' stored form: keys comma separated, read back in order without
/// duplicates; an unknown format or none is refused.
#[test]
fn report_formats_read_and_write_their_stored_text() {
    let f: ReportFormats = " xlsx, PDF,xlsx ".parse().unwrap();
    assert_eq!(f.as_slice(), &[ReportFormat::Xlsx, ReportFormat::Pdf]);
    assert_eq!(f.to_string(), "xlsx,pdf");
    assert!(matches!(
        "pdf,docx".parse::<ReportFormats>(),
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        " , ".parse::<ReportFormats>(),
        Err(StoreError::Invalid { .. })
    ));
    assert_eq!(
        "Campaign_Report".parse::<ReportKind>().ok(),
        Some(ReportKind::CampaignReport)
    );
    assert!("yearly".parse::<ReportCadence>().is_err());
}
