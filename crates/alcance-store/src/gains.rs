//! The dashboard's gains, kept by the write path (schema version 21; ADR 0019,
//! docs/analytics.md "Gains", docs/schema.md "post_gain_hours").
//!
//! Each `post_metrics` row carries its `gain`: its value minus the post's latest finite
//! value of the same metric in an earlier hour bucket; a post's first finite value of a
//! metric counts in full when the post was fresh then (published at most
//! [`FRESH_POST_HOURS`] before the value was collected), else 0 (it is the baseline);
//! NULL for a NULL or non-finite value and for `impressions` of a post that has a finite
//! `views` value. `post_gain_hours` holds, per account, hour bucket and metric, the sum of
//! those gains and how many rows have one, so a period's gains are a sum over hundreds of
//! rows whatever the number of snapshots.
//!
//! Every statement that writes `post_metrics` is followed, in its transaction, by
//! [`refresh_batch`] or [`refresh_keys`]: the rows whose gain a write can change (the rows
//! of the written post and metric from the written bucket on: the row itself and the later
//! ones, which compare with it; and, when `views` is written, the post's `impressions`
//! rows) leave the rollup with their stored gains, get their gain computed again and enter
//! it with the new ones (three statements). So out-of-order writes (imports, backfills, an hour bucket
//! collected again with another value) leave the rollup equal to one built from scratch
//! ([`Store::rebuild_post_gains`], the migration's backfill).
//!
//! Schema version 24 (ADR 0024) pivots both for the dashboard: `account_gain_hours` (per
//! account and hour, the interaction metrics and the views summed) and
//! `post_interaction_hours` (per post and hour, its interaction rows' gains summed), kept
//! by triggers on `post_gain_hours` and `post_metrics`, so nothing here writes them.

use crate::engine::{on_tx, Tx};
use crate::{Engine, Store, StoreError};

/// Hours after publication within which a post's first value counts as gained: the
/// engagement trend's fresh-post rule, one constant for both.
pub use alcance_core::analytics::posts::FRESH_POST_HOURS;

/// Largest finite `f64` (see `aggregate`): `value BETWEEN -MAX AND MAX` keeps finite values.
const FINITE: &str = "BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308";

/// The SQLite migration; its statements after the `-- backfill` line rebuild the gains.
const SQLITE_MIGRATION: &str = include_str!("../migrations/0021_post_gains.sql");
/// The PostgreSQL twin.
const POSTGRES_MIGRATION: &str = include_str!("../migrations/postgres/0021_post_gains.sql");

/// Seconds from `p.published_at` to `m.collected_at` (stored text), on `engine`.
fn age_seconds(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "(CAST(strftime('%s', m.collected_at) AS INTEGER) - CAST(strftime('%s', p.published_at) AS INTEGER))"
        }
        Engine::Postgres => {
            "extract(epoch FROM CAST(m.collected_at AS timestamptz) - CAST(p.published_at AS timestamptz))"
        }
    }
}

/// The gain of row `m` of post `p`, computed from the stored rows (the rule of the
/// module's note).
fn gain_expr(engine: Engine) -> String {
    format!(
        "CASE WHEN m.value {FINITE} THEN
            CASE WHEN m.metric = 'impressions' AND EXISTS (
                     SELECT 1 FROM post_metrics AS w WHERE w.post_id = m.post_id AND w.metric = 'views' AND w.value {FINITE})
                 THEN NULL
                 ELSE m.value - coalesce(
                     (SELECT q.value FROM post_metrics AS q
                      WHERE q.post_id = m.post_id AND q.metric = m.metric AND q.bucket < m.bucket AND q.value {FINITE}
                      ORDER BY q.bucket DESC LIMIT 1),
                     CASE WHEN p.published_at IS NOT NULL AND {age} <= {fresh} THEN 0 ELSE m.value END)
            END
        END",
        age = age_seconds(engine),
        fresh = FRESH_POST_HOURS * 3_600,
    )
}

/// The keys of a batch's snapshots (`k (post_id, metric, b)`): `$1` account, `$3` the
/// batch's hour bucket, `$4` the batch's JSON `[[post external id, metric, value]]`; for
/// a `views` reading, the post's `impressions` from the start.
fn batch_keys(engine: Engine) -> String {
    format!(
        "k AS (
            SELECT po.id AS post_id, j.value ->> 1 AS metric, CAST($3 AS TEXT) AS b
            FROM {rows} {join} posts AS po ON po.account_id = $1 AND po.external_id = j.value ->> 0
            UNION
            SELECT po.id, 'impressions', ''
            FROM {rows} {join} posts AS po ON po.account_id = $1 AND po.external_id = j.value ->> 0
            WHERE j.value ->> 1 = 'views'
        )",
        rows = engine.json_rows(4),
        join = engine.ordered_join(),
    )
}

/// Keys given as `$1`, a JSON `[[post id, metric, bucket]]`, with the same `views` rule.
fn listed_keys(engine: Engine) -> String {
    let rows = engine.json_rows(1);
    let post = match engine {
        Engine::Sqlite => "CAST(j.value ->> 0 AS INTEGER)",
        Engine::Postgres => "CAST(j.value ->> 0 AS BIGINT)",
    };
    format!(
        "k AS (
            SELECT {post} AS post_id, j.value ->> 1 AS metric, j.value ->> 2 AS b FROM {rows}
            UNION
            SELECT {post}, 'impressions', '' FROM {rows} WHERE j.value ->> 1 = 'views'
        )"
    )
}

/// `a (id)`: the rows of the keys `k` from their bucket on.
fn affected(keys: &str) -> String {
    format!(
        "WITH {keys}, a AS (
            SELECT DISTINCT r.id FROM k JOIN post_metrics AS r
              ON r.post_id = k.post_id AND r.metric = k.metric AND r.bucket >= k.b
        )"
    )
}

/// Moves the rollup by the stored gains of the keys' rows, `sign` −1 (before their gains
/// are computed again) or +1 (after).
fn rollup_sql(keys: &str, sign: i8) -> String {
    format!(
        "{with}
        INSERT INTO post_gain_hours (account_id, bucket, metric, gain, readings)
        SELECT p.account_id, m.bucket, m.metric, {sign} * sum(m.gain), {sign} * count(*)
        FROM a JOIN post_metrics AS m ON m.id = a.id JOIN posts AS p ON p.id = m.post_id
        WHERE m.gain IS NOT NULL
        GROUP BY p.account_id, m.bucket, m.metric
        ON CONFLICT (account_id, bucket, metric) DO UPDATE SET
            gain = post_gain_hours.gain + excluded.gain,
            readings = post_gain_hours.readings + excluded.readings",
        with = affected(keys),
    )
}

/// Computes the gains of the keys' rows again.
fn update_sql(engine: Engine, keys: &str) -> String {
    format!(
        "{with}, n AS (
            SELECT m.id, m.gain AS g_old, {gain} AS g_new
            FROM a JOIN post_metrics AS m ON m.id = a.id JOIN posts AS p ON p.id = m.post_id
        )
        UPDATE post_metrics SET gain = n.g_new FROM n
        WHERE post_metrics.id = n.id AND n.g_new IS DISTINCT FROM n.g_old",
        with = affected(keys),
        gain = gain_expr(engine),
    )
}

/// The three statements of a refresh over the keys `k`: the rollup without the rows'
/// stored gains, the gains computed again, the rollup with them. (The expensive part, the
/// gains, runs once; in the usual batch the rows are new and the first statement finds
/// no stored gain.)
fn refresh_sql(engine: Engine, keys: &str) -> [String; 3] {
    [rollup_sql(keys, -1), update_sql(engine, keys), rollup_sql(keys, 1)]
}

/// After a batch's `post_metrics` upsert (binds of `batch::exec_json`: `$1` account, `$2`
/// collected at, `$3` hour bucket, `$4` the JSON of its snapshots): the gains and the
/// rollup of the rows it can have changed.
pub(crate) async fn refresh_batch(
    tx: &mut Tx,
    account_id: i64,
    collected_at: &str,
    bucket: &str,
    payload: &str,
) -> Result<(), StoreError> {
    let engine = tx.engine();
    let keys = batch_keys(engine);
    for sql in refresh_sql(engine, &keys) {
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(account_id)
            .bind(collected_at)
            .bind(bucket)
            .bind(payload)
            .execute(&mut *c)
            .await?
            .rows_affected());
    }
    Ok(())
}

/// After `post_metrics` rows were written under these keys (`posts.id`, metric, hour
/// bucket as stored): the gains and the rollup of the rows the writes can have changed.
pub(crate) async fn refresh_keys(tx: &mut Tx, keys: &[(i64, String, String)]) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let engine = tx.engine();
    let json = serde_json::to_string(keys).map_err(|e| StoreError::Invalid {
        what: "gain keys",
        value: e.to_string(),
        expected: "serializable keys",
    })?;
    let listed = listed_keys(engine);
    for sql in refresh_sql(engine, &listed) {
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(&json)
            .execute(&mut *c)
            .await?
            .rows_affected());
    }
    Ok(())
}

/// The migration's backfill statements for `engine` (after its `-- backfill` line).
fn backfill_statements(engine: Engine) -> Vec<&'static str> {
    let text = match engine {
        Engine::Sqlite => SQLITE_MIGRATION,
        Engine::Postgres => POSTGRES_MIGRATION,
    };
    let tail = text.split_once("-- backfill").map_or("", |(_, t)| t);
    // Skip the rest of the marker's line.
    let tail = tail.split_once('\n').map_or("", |(_, t)| t);
    tail.split(';').map(str::trim).filter(|s| !s.is_empty()).collect()
}

impl Store {
    /// Computes every `post_metrics.gain` and the whole `post_gain_hours` again from the
    /// stored snapshots, by the statements of the schema-21 migration's backfill, in one
    /// transaction: for stores filled by bulk paths that bypass the write path
    /// (`synthetic`), and for tests that compare it with what the writes kept. The pivots
    /// of schema version 24 follow through their triggers, in the same transaction.
    ///
    /// Errors: database errors (nothing is changed then).
    pub async fn rebuild_post_gains(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let mut statements = vec![
            "UPDATE post_metrics SET gain = NULL WHERE gain IS NOT NULL",
            "DELETE FROM post_gain_hours",
        ];
        statements.extend(backfill_statements(self.engine()));
        for sql in statements {
            on_tx!(&mut tx, |c| sqlx::query(sql).execute(&mut *c).await?.rows_affected());
        }
        tx.commit().await?;
        Ok(())
    }

    /// The whole rollup (`post_gain_hours` rows with `readings > 0`) as `(account id,
    /// bucket, metric, gain, readings)`, in key order, and every stored
    /// `(post_metrics.id, gain)`: for tests comparing the rollup kept by writes with
    /// [`Store::rebuild_post_gains`]'s.
    ///
    /// Errors: database errors.
    #[cfg(feature = "testing")]
    pub async fn gain_rollup_dump(&self) -> Result<GainDump, StoreError> {
        let rollup: Vec<(i64, String, String, f64, i64)> = crate::on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT account_id, bucket, metric, gain, readings FROM post_gain_hours WHERE readings > 0
             ORDER BY account_id, bucket, metric"
        )
        .fetch_all(p)
        .await?);
        let rows: Vec<(i64, Option<f64>)> = crate::on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, gain FROM post_metrics ORDER BY id"
        )
        .fetch_all(p)
        .await?);
        Ok(GainDump { rollup, rows })
    }

    /// The pivots the triggers keep (`account_gain_hours`, `post_interaction_hours`, rows
    /// with a reading) beside the same computed from scratch from `post_gain_hours` and
    /// `post_metrics` by statements of their own (not the migration's), for tests that
    /// compare them after any mix of writes.
    ///
    /// Errors: database errors.
    #[cfg(feature = "testing")]
    pub async fn gain_pivot_dump(&self) -> Result<GainPivotDump, StoreError> {
        let interactions = crate::aggregate::PIVOTED_INTERACTIONS
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let accounts_kept_sql = "SELECT account_id, bucket, interactions, interaction_readings, views, view_readings
             FROM account_gain_hours WHERE interaction_readings > 0 OR view_readings > 0
             ORDER BY account_id, bucket";
        let accounts_scratch_sql = format!(
            "SELECT account_id, bucket,
                    coalesce(sum(CASE WHEN pick = 0 THEN gain END), 0.0) AS interactions,
                    CAST(coalesce(sum(CASE WHEN pick = 0 THEN readings END), 0) AS BIGINT) AS interaction_readings,
                    coalesce(sum(CASE WHEN pick = 1 THEN gain END), 0.0) AS views,
                    CAST(coalesce(sum(CASE WHEN pick = 1 THEN readings END), 0) AS BIGINT) AS view_readings
             FROM (SELECT account_id, bucket, gain, readings,
                          CASE WHEN metric IN ({interactions}) THEN 0 ELSE 1 END AS pick
                   FROM post_gain_hours
                   WHERE readings > 0 AND (metric IN ({interactions}) OR metric = 'views' OR metric = 'impressions')) AS r
             GROUP BY account_id, bucket
             ORDER BY account_id, bucket"
        );
        let posts_kept_sql = "SELECT post_id, bucket, gain, readings FROM post_interaction_hours WHERE readings > 0
             ORDER BY post_id, bucket";
        let posts_scratch_sql = format!(
            "SELECT post_id, bucket, sum(gain) AS gain, CAST(count(*) AS BIGINT) AS readings
             FROM post_metrics WHERE gain IS NOT NULL AND metric IN ({interactions})
             GROUP BY post_id, bucket ORDER BY post_id, bucket"
        );
        let stray_sql = "SELECT CAST((SELECT count(*) FROM account_gain_hours
                                 WHERE interaction_readings = 0 AND view_readings = 0
                                   AND (interactions <> 0 OR views <> 0))
                              + (SELECT count(*) FROM post_interaction_hours WHERE readings = 0 AND gain <> 0)
                         AS BIGINT)";
        let accounts_kept = crate::on_pool!(&self.pool, |p| sqlx::query_as(accounts_kept_sql).fetch_all(p).await?);
        let accounts_scratch = crate::on_pool!(&self.pool, |p| sqlx::query_as(&accounts_scratch_sql)
            .fetch_all(p)
            .await?);
        let posts_kept = crate::on_pool!(&self.pool, |p| sqlx::query_as(posts_kept_sql).fetch_all(p).await?);
        let posts_scratch = crate::on_pool!(&self.pool, |p| sqlx::query_as(&posts_scratch_sql).fetch_all(p).await?);
        let stray = crate::on_pool!(&self.pool, |p| sqlx::query_scalar(stray_sql).fetch_one(p).await?);
        Ok(GainPivotDump {
            accounts_kept,
            accounts_scratch,
            posts_kept,
            posts_scratch,
            stray,
        })
    }
}

/// The pivots of schema version 24 as kept by the triggers, and as computed from scratch
/// from their sources, for tests ([`Store::gain_pivot_dump`]).
#[cfg(feature = "testing")]
#[derive(Debug, Clone, PartialEq)]
pub struct GainPivotDump {
    /// `account_gain_hours` rows with a reading: (account id, bucket, interactions,
    /// interaction readings, views, view readings), in key order.
    pub accounts_kept: Vec<(i64, String, f64, i64, f64, i64)>,
    /// The same computed from `post_gain_hours` (rows with `readings > 0`).
    pub accounts_scratch: Vec<(i64, String, f64, i64, f64, i64)>,
    /// `post_interaction_hours` rows with a reading: (post id, bucket, gain, readings).
    pub posts_kept: Vec<(i64, String, f64, i64)>,
    /// The same computed from `post_metrics` (interaction rows with a gain).
    pub posts_scratch: Vec<(i64, String, f64, i64)>,
    /// Kept rows without a reading whose sums are not 0 (must be 0): both tables.
    pub stray: i64,
}

impl Store {
    /// `post_latest` as the triggers kept it and as computed from scratch from
    /// `post_metrics` (per post and metric its newest finite row by hour bucket), each as
    /// `(post id, metric, bucket, value, collected_at)` in key order: for tests comparing
    /// the two after every kind of write (schema version 23).
    ///
    /// Errors: database errors.
    #[cfg(feature = "testing")]
    pub async fn post_latest_dump(&self) -> Result<(Vec<LatestRow>, Vec<LatestRow>), StoreError> {
        let kept: Vec<LatestRow> = crate::on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT post_id, metric, bucket, value, collected_at FROM post_latest ORDER BY post_id, metric"
        )
        .fetch_all(p)
        .await?);
        let sql = format!(
            "SELECT post_id, metric, bucket, value, collected_at FROM (
                 SELECT m.post_id, m.metric, m.bucket, m.value, m.collected_at,
                        row_number() OVER (PARTITION BY m.post_id, m.metric ORDER BY m.bucket DESC) AS n
                 FROM post_metrics AS m WHERE m.value {FINITE}
             ) AS r WHERE n = 1 ORDER BY post_id, metric"
        );
        let computed: Vec<LatestRow> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        Ok((kept, computed))
    }
}

/// A `post_latest` row: `(post id, metric, bucket, value, collected_at)`.
#[cfg(feature = "testing")]
pub type LatestRow = (i64, String, String, f64, String);

/// What [`Store::gain_rollup_dump`] reads.
#[cfg(feature = "testing")]
#[derive(Debug, Clone, PartialEq)]
pub struct GainDump {
    /// `post_gain_hours`: (account id, bucket, metric, gain, readings), readings > 0.
    pub rollup: Vec<(i64, String, String, f64, i64)>,
    /// `post_metrics`: (id, gain).
    pub rows: Vec<(i64, Option<f64>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every metric list of the schema-24 migrations (`IN ('likes', …)`), in order.
    fn pivot_lists(text: &str) -> Vec<Vec<String>> {
        text.match_indices("IN ('")
            .filter_map(|(at, _)| {
                let rest = &text[at + 4..];
                let list = &rest[..rest.find(')')?];
                Some(
                    list.split(',')
                        .map(|m| m.trim().trim_matches('\'').to_string())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn the_pivot_migrations_sum_the_pivoted_interactions() {
        let interactions: Vec<String> = crate::aggregate::PIVOTED_INTERACTIONS
            .iter()
            .map(|m| m.to_string())
            .collect();
        let mut with_views = interactions.clone();
        with_views.extend(["views".to_string(), "impressions".to_string()]);
        let views = vec!["views".to_string(), "impressions".to_string()];
        for text in [
            include_str!("../migrations/0024_pivoted_gain_rollups.sql"),
            include_str!("../migrations/postgres/0024_pivoted_gain_rollups.sql"),
        ] {
            let lists = pivot_lists(text);
            assert!(lists.len() > 20, "{}", lists.len());
            for list in &lists {
                assert!(
                    *list == interactions || *list == with_views || *list == views,
                    "a list that is not the pivoted interactions: {list:?}"
                );
            }
            assert!(lists.contains(&interactions));
        }
    }

    #[test]
    fn both_migrations_have_the_two_backfill_statements() {
        for engine in [Engine::Sqlite, Engine::Postgres] {
            let s = backfill_statements(engine);
            assert_eq!(s.len(), 2, "{engine:?}: {s:?}");
            assert!(s[0].starts_with("UPDATE post_metrics SET gain"), "{}", s[0]);
            assert!(s[1].starts_with("INSERT INTO post_gain_hours"), "{}", s[1]);
        }
    }
}
