//! Copying a whole database to another, of either backend (`dsr-server copy-database`): every table
//! read in key order a page at a time, written to the target as it is (its numbers too: the change
//! log's, the audit trail's), then both sides counted and checksummed.
//!
//! Both backends have the same tables and columns ([`TABLES`]); a row travels as a JSON object of
//! its columns: text as strings, whole numbers, flags as booleans, and a JSON column as the string of
//! its JSON (so a SQL NULL and a JSON `null` stay apart).

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::AppError;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Text,
    Integer,
    Flag,
    Json,
}

/// A table as both backends have it.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Column)],
    /// The columns of its primary key, which order its rows.
    pub key: &'static [&'static str],
    /// Whether the database numbers its rows (`id`; PostgreSQL must then be told the last number).
    pub numbered: bool,
}

use Column::{Flag, Integer, Json, Text};

/// Every table, in an order that keeps foreign keys satisfied while copying.
pub const TABLES: &[Table] = &[
    Table {
        name: "areas",
        columns: &[("id", Text), ("name", Text), ("created_at", Text)],
        key: &["id"],
        numbered: false,
    },
    Table {
        name: "users",
        columns: &[
            ("id", Text),
            ("area_id", Text),
            ("username", Text),
            ("display_name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("disabled_at", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("young_person", Flag),
        ],
        key: &["id"],
        numbered: false,
    },
    Table {
        name: "sessions",
        columns: &[("token_hash", Text), ("user_id", Text), ("created_at", Text), ("expires_at", Text)],
        key: &["token_hash"],
        numbered: false,
    },
    Table {
        name: "invites",
        columns: &[
            ("code_hash", Text),
            ("user_id", Text),
            ("created_at", Text),
            ("expires_at", Text),
            ("used_at", Text),
        ],
        key: &["code_hash"],
        numbered: false,
    },
    Table {
        name: "caseload",
        columns: &[("user_id", Text), ("person_id", Text), ("added_at", Text), ("added_by", Text)],
        key: &["user_id", "person_id"],
        numbered: false,
    },
    Table {
        name: "records",
        columns: &[
            ("id", Text),
            ("kind", Text),
            ("version", Integer),
            ("fields", Json),
            ("deleted", Flag),
            ("change_seq", Integer),
            ("area_id", Text),
            ("person_id", Text),
        ],
        key: &["id"],
        numbered: false,
    },
    Table {
        name: "change_log",
        columns: &[
            ("change_seq", Integer),
            ("record_id", Text),
            ("kind", Text),
            ("version", Integer),
            ("record", Json),
            ("client_id", Text),
            ("client_seq", Integer),
            ("at", Text),
            ("user_id", Text),
        ],
        key: &["change_seq"],
        numbered: false,
    },
    Table {
        name: "sync_clients",
        columns: &[
            ("client_id", Text),
            ("last_seq", Integer),
            ("user_id", Text),
            ("view_no", Integer),
            ("view", Json),
            ("prev_view_no", Integer),
            ("prev_view", Json),
            ("claimed_at", Text),
        ],
        key: &["client_id"],
        numbered: false,
    },
    Table {
        name: "client_mutations",
        columns: &[("client_id", Text), ("seq", Integer), ("result", Json), ("at", Text)],
        key: &["client_id", "seq"],
        numbered: false,
    },
    Table {
        name: "conflicts",
        columns: &[
            ("id", Text),
            ("record_id", Text),
            ("kind", Text),
            ("field", Text),
            ("base", Json),
            ("theirs", Json),
            ("ours", Json),
            ("client_id", Text),
            ("client_seq", Integer),
            ("at", Text),
            ("resolved_at", Text),
            ("area_id", Text),
        ],
        key: &["id"],
        numbered: false,
    },
    Table {
        name: "audit",
        columns: &[
            ("id", Integer),
            ("at", Text),
            ("happened_at", Text),
            ("area_id", Text),
            ("user_id", Text),
            ("client_id", Text),
            ("action", Text),
            ("person_id", Text),
            ("record_id", Text),
            ("kind", Text),
            ("changes", Json),
            ("reason", Text),
            ("detail", Text),
        ],
        key: &["id"],
        numbered: true,
    },
    Table { name: "audit_device_events", columns: &[("id", Text)], key: &["id"], numbered: false },
    Table {
        name: "area_policies",
        columns: &[
            ("area_id", Text),
            ("version", Integer),
            ("policy", Json),
            ("changed_at", Text),
            ("changed_by", Text),
            ("reason", Text),
        ],
        key: &["area_id", "version"],
        numbered: false,
    },
    Table {
        name: "purges",
        columns: &[
            ("person_id", Text),
            ("area_id", Text),
            ("purged_at", Text),
            ("why", Text),
            ("requested_by", Text),
            ("records", Integer),
        ],
        key: &["person_id"],
        numbered: false,
    },
    Table {
        name: "person_match_keys",
        columns: &[("area_id", Text), ("key", Text), ("person_id", Text)],
        key: &["area_id", "key", "person_id"],
        numbered: false,
    },
    Table {
        name: "attempts",
        columns: &[("id", Integer), ("scope", Text), ("key", Text), ("at", Text)],
        key: &["id"],
        numbered: true,
    },
    Table {
        name: "self_referral_references",
        columns: &[
            ("reference", Text),
            ("area_id", Text),
            ("referral_id", Text),
            ("person_id", Text),
            ("created_at", Text),
        ],
        key: &["reference"],
        numbered: false,
    },
    Table {
        name: "password_resets",
        columns: &[
            ("code_hash", Text),
            ("user_id", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("expires_at", Text),
            ("used_at", Text),
        ],
        key: &["code_hash"],
        numbered: false,
    },
    Table {
        name: "device_recovery",
        columns: &[("user_id", Text), ("client_id", Text), ("secret", Text), ("created_at", Text)],
        key: &["user_id", "client_id"],
        numbered: false,
    },
];

/// The table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// A row: its columns by name.
pub type Row = Map<String, Value>;

/// A key column's value, to bind (keys are whole numbers or text).
pub enum KeyValue {
    Integer(Option<i64>),
    Text(Option<String>),
}

/// The values of `row`'s key columns, in order: where the next page starts.
pub fn key_values(table: &Table, row: &Row) -> Vec<KeyValue> {
    table
        .key
        .iter()
        .map(|key| match row.get(*key) {
            Some(Value::Number(n)) => KeyValue::Integer(n.as_i64()),
            Some(Value::String(s)) => KeyValue::Text(Some(s.clone())),
            _ => KeyValue::Text(None),
        })
        .collect()
}

/// What a backend does for a copy.
#[async_trait::async_trait]
pub trait TableCopy: Send + Sync {
    /// How many rows `table` holds.
    async fn count_rows(&self, table: &Table) -> Result<u64, AppError>;

    /// Up to `limit` rows of `table` in key order, after the row whose key is `after`'s.
    async fn read_rows(&self, table: &Table, after: Option<&Row>, limit: u32) -> Result<Vec<Row>, AppError>;

    /// Adds rows to `table` as they are (in one transaction).
    async fn write_rows(&self, table: &Table, rows: &[Row]) -> Result<(), AppError>;

    /// After the rows are written: what the database keeps besides them is brought in step (the
    /// next numbers it gives, the change log's last number).
    async fn finish_copy(&self) -> Result<(), AppError>;
}

/// What one table's copy found: rows on each side and whether their checksums agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopied {
    pub table: &'static str,
    pub rows: u64,
    pub checksum: String,
    /// The target's count and checksum, read back after the copy.
    pub target_rows: u64,
    pub target_checksum: String,
}

impl TableCopied {
    pub fn matches(&self) -> bool {
        self.rows == self.target_rows && self.checksum == self.target_checksum
    }
}

/// Rows read a page at a time.
const PAGE: u32 = 2_000;

/// Copies every table of `from` into `to`, which must hold nothing yet, then reads both again and
/// compares counts and checksums table by table: the source changed during the copy, or the copy
/// differs from it, is an error.
pub async fn copy_database(from: &dyn TableCopy, to: &dyn TableCopy) -> Result<Vec<TableCopied>, AppError> {
    copy_in_pages(from, to, PAGE).await
}

/// [`copy_database`], reading `page` rows at a time.
async fn copy_in_pages(from: &dyn TableCopy, to: &dyn TableCopy, page: u32) -> Result<Vec<TableCopied>, AppError> {
    for table in TABLES {
        let rows = to.count_rows(table).await?;
        if rows > 0 {
            return Err(AppError::Conflict(format!(
                "The target database already holds data ({rows} row(s) in {}): copy into a new, empty database",
                table.name
            )));
        }
    }
    let mut copied = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let (rows, checksum) = scan(from, table, Some(to), page).await?;
        copied.push(TableCopied { table: table.name, rows, checksum, target_rows: 0, target_checksum: String::new() });
    }
    to.finish_copy().await?;
    for (table, copy) in TABLES.iter().zip(copied.iter_mut()) {
        // The source read again: a write to it during the copy (which the copy would have missed) makes
        // it differ from the copy.
        let (rows, checksum) = scan(from, table, None, page).await?;
        let (target_rows, target_checksum) = scan(to, table, None, page).await?;
        if (rows, &checksum) != (copy.rows, &copy.checksum) {
            return Err(AppError::Conflict(format!(
                "{} changed while it was copied ({} rows, then {rows}): stop the server using it and copy into a new database again",
                table.name, copy.rows
            )));
        }
        copy.target_rows = target_rows;
        copy.target_checksum = target_checksum;
    }
    let differ: Vec<String> = copied
        .iter()
        .filter(|c| !c.matches())
        .map(|c| format!("{} ({} rows, {} in the copy)", c.table, c.rows, c.target_rows))
        .collect();
    if !differ.is_empty() {
        return Err(AppError::Corrupt(format!("the copy differs from the original in {}", differ.join(", "))));
    }
    Ok(copied)
}

/// Reads every row of `table` (writing each page to `into`, when given): the count and a checksum
/// that does not depend on the order rows are read in (the backends' text orders may differ).
async fn scan(
    db: &dyn TableCopy,
    table: &Table,
    into: Option<&dyn TableCopy>,
    page_rows: u32,
) -> Result<(u64, String), AppError> {
    let (mut count, mut sum) = (0u64, 0u128);
    let mut after: Option<Row> = None;
    loop {
        let page = db.read_rows(table, after.as_ref(), page_rows).await?;
        if page.is_empty() {
            break;
        }
        if let Some(into) = into {
            into.write_rows(table, &page).await?;
        }
        for row in &page {
            count += 1;
            sum = sum.wrapping_add(row_hash(table, row)?);
        }
        after = page.last().cloned();
    }
    Ok((count, format!("{sum:032x}")))
}

/// A row's hash: its columns in order, each JSON column's value read and written again with its
/// keys sorted (the backends store JSON differently: text, jsonb).
fn row_hash(table: &Table, row: &Row) -> Result<u128, AppError> {
    let mut hasher = Sha256::new();
    for (name, column) in table.columns {
        let value = row.get(*name).unwrap_or(&Value::Null);
        let text = match (column, value) {
            (Json, Value::String(json)) => {
                let parsed: Value = serde_json::from_str(json)
                    .map_err(|e| AppError::Corrupt(format!("{}.{name} is not JSON: {e}", table.name)))?;
                format!("json:{}", sorted(&parsed))
            }
            (_, value) => value.to_string(),
        };
        hasher.update(text.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    Ok(u128::from_be_bytes(first))
}

/// A JSON value written with every object's keys in order.
fn sorted(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, String> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
            let parts: Vec<String> =
                ordered.into_iter().map(|(k, v)| format!("{}:{v}", Value::String(k.clone()))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(sorted).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_hash_reads_its_json_not_its_spelling() {
        let table = &TABLES[5]; // records
        assert_eq!(table.name, "records");
        let row = |fields: &str| -> Row {
            serde_json::from_value(serde_json::json!({ "id": "r1", "kind": "person", "version": 1, "fields": fields,
                "deleted": false, "change_seq": 3, "area_id": "a", "person_id": null }))
            .unwrap_or_default()
        };
        let a = row_hash(table, &row(r#"{"b": 1, "a": [1, {"y": 2, "x": null}]}"#)).ok();
        let b = row_hash(table, &row(r#"{"a":[1,{"x":null,"y":2}],"b":1}"#)).ok();
        assert!(a.is_some() && a == b);
        assert_ne!(a, row_hash(table, &row(r#"{"a":[1,{"x":null,"y":3}],"b":1}"#)).ok());
        assert!(row_hash(table, &row("not json")).is_err());
    }

    /// Tables in memory; `grows` adds a row to `areas` once its first read ended (a write during a copy).
    #[derive(Default)]
    struct Memory {
        tables: std::sync::Mutex<BTreeMap<&'static str, Vec<Row>>>,
        grows: bool,
        reads: std::sync::atomic::AtomicUsize,
    }

    fn area(id: &str) -> Row {
        serde_json::from_value(serde_json::json!({ "id": id, "name": id, "created_at": "2026-12-04T00:00:00+00:00" }))
            .unwrap_or_default()
    }

    #[async_trait::async_trait]
    impl TableCopy for Memory {
        async fn count_rows(&self, table: &Table) -> Result<u64, AppError> {
            Ok(self.tables.lock().map_or(0, |t| t.get(table.name).map_or(0, Vec::len)) as u64)
        }
        async fn read_rows(&self, table: &Table, after: Option<&Row>, _limit: u32) -> Result<Vec<Row>, AppError> {
            let mut tables = self.tables.lock().map_err(|_| AppError::Corrupt("lock".into()))?;
            if after.is_some() {
                if table.name == "areas"
                    && self.grows
                    && self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0
                {
                    tables.entry("areas").or_default().push(area("late"));
                }
                return Ok(Vec::new());
            }
            Ok(tables.get(table.name).cloned().unwrap_or_default())
        }
        async fn write_rows(&self, table: &Table, rows: &[Row]) -> Result<(), AppError> {
            let mut tables = self.tables.lock().map_err(|_| AppError::Corrupt("lock".into()))?;
            tables.entry(table.name).or_default().extend(rows.iter().cloned());
            Ok(())
        }
        async fn finish_copy(&self) -> Result<(), AppError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_source_written_to_during_the_copy_fails_it() {
        let source = Memory { grows: true, ..Memory::default() };
        source.tables.lock().map(|mut t| t.insert("areas", vec![area("a"), area("b")])).ok();
        let copied = copy_database(&source, &Memory::default()).await;
        assert!(copied.as_ref().is_err_and(|e| e.to_string().contains("changed while it was copied")), "{copied:?}");
        // The same without the write: copied, and said so.
        let quiet = Memory::default();
        quiet.tables.lock().map(|mut t| t.insert("areas", vec![area("a"), area("b")])).ok();
        let copied = copy_database(&quiet, &Memory::default()).await.unwrap_or_default();
        assert!(copied.iter().all(TableCopied::matches) && copied[0].rows == 2, "{copied:?}");
    }

    /// Many pages, by text keys and by number: each page starts after the last row of the one before.
    #[tokio::test]
    async fn a_copy_read_a_few_rows_at_a_time_holds_every_row_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (from_path, to_path) = (dir.path().join("from.sqlite3"), dir.path().join("to.sqlite3"));
        let open = crate::storage::sqlite::SqliteDatabase::open;
        let (from, to) = (open(&from_path).await, open(&to_path).await);
        let (Ok(from), Ok(to)) = (from, to) else { panic!("cannot open the databases") };
        let areas: Vec<Row> = (0..25).map(|n| area(&format!("area-{n:02}"))).collect();
        let entries: Vec<Row> = (1..=30)
            .map(|n| {
                serde_json::from_value(
                    serde_json::json!({ "id": n, "at": "2026-12-04T00:00:00+00:00", "action": "test",
                    "changes": "{\"a\": 1}" }),
                )
                .unwrap_or_default()
            })
            .collect();
        for (name, rows) in [("areas", &areas), ("audit", &entries)] {
            let table = table(name).unwrap_or_else(|| panic!("no {name}"));
            from.write_rows(table, rows).await.unwrap_or_else(|e| panic!("{e}"));
        }
        let copied = copy_in_pages(&from, &to, 7).await.unwrap_or_else(|e| panic!("{e}"));
        let rows = |name: &str| copied.iter().find(|t| t.table == name).map(|t| (t.rows, t.target_rows));
        assert_eq!(rows("areas"), Some((25, 25)));
        assert_eq!(rows("audit"), Some((30, 30)));
        assert!(copied.iter().all(TableCopied::matches), "{copied:?}");
    }

    #[test]
    fn every_table_orders_by_columns_it_has() {
        for table in TABLES {
            for key in table.key {
                assert!(table.columns.iter().any(|(name, _)| name == key), "{}.{key}", table.name);
            }
        }
    }
}
