//! Whole tables read and written for `copy-database`, in SQLite.

use super::SqliteDatabase;
use crate::AppError;
use crate::storage::copy::{Column, KeyValue, Row, Table, TableCopy, key_values};

#[async_trait::async_trait]
impl TableCopy for SqliteDatabase {
    async fn count_rows(&self, table: &Table) -> Result<u64, AppError> {
        let (count,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", table.name)).fetch_one(&self.pool).await?;
        Ok(count as u64)
    }

    async fn read_rows(&self, table: &Table, after: Option<&Row>, limit: u32) -> Result<Vec<Row>, AppError> {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|(name, column)| match column {
                Column::Flag => format!(
                    "'{name}', CASE WHEN {name} IS NULL THEN NULL WHEN {name} THEN json('true') ELSE json('false') END"
                ),
                Column::Text | Column::Integer | Column::Json => format!("'{name}', {name}"),
            })
            .collect();
        let key = table.key.join(", ");
        let filter = if after.is_some() {
            format!("WHERE ({key}) > ({})", vec!["?"; table.key.len()].join(", "))
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT json_object({}) FROM {} {filter} ORDER BY {key} LIMIT {limit}",
            columns.join(", "),
            table.name
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql);
        for value in after.map(|row| key_values(table, row)).unwrap_or_default() {
            query = match value {
                KeyValue::Integer(n) => query.bind(n),
                KeyValue::Text(s) => query.bind(s),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|(row,)| serde_json::from_str(row).map_err(|e| AppError::Corrupt(format!("{} row: {e}", table.name))))
            .collect()
    }

    async fn write_rows(&self, table: &Table, rows: &[Row]) -> Result<(), AppError> {
        let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let values: Vec<String> = names.iter().map(|name| format!("value ->> '$.{name}'")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) SELECT {} FROM json_each(?) ORDER BY key",
            table.name,
            names.join(", "),
            values.join(", ")
        );
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(&sql).bind(crate::storage::to_json(rows)?).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish_copy(&self) -> Result<(), AppError> {
        // SQLite's next numbers follow the largest ones written.
        Ok(())
    }
}
