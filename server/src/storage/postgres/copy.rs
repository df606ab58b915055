//! Whole tables read and written for `copy-database`, in PostgreSQL.

use super::PostgresDatabase;
use crate::AppError;
use crate::storage::copy::{Column, KeyValue, Row, TABLES, Table, TableCopy, key_values};

#[async_trait::async_trait]
impl TableCopy for PostgresDatabase {
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
                Column::Json => format!("'{name}', {name}::text"),
                Column::Text | Column::Integer | Column::Flag => format!("'{name}', {name}"),
            })
            .collect();
        let key = table.key.join(", ");
        let filter = if after.is_some() {
            let params: Vec<String> = (1..=table.key.len()).map(|n| format!("${n}")).collect();
            format!("WHERE ({key}) > ({})", params.join(", "))
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT json_build_object({})::text FROM {} {filter} ORDER BY {key} LIMIT {limit}",
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
        let values: Vec<String> = table
            .columns
            .iter()
            .map(|(name, column)| match column {
                Column::Json => format!("x.{name}::jsonb"),
                _ => format!("x.{name}"),
            })
            .collect();
        let record: Vec<String> = table
            .columns
            .iter()
            .map(|(name, column)| {
                let kind = match column {
                    Column::Text | Column::Json => "text",
                    Column::Integer => "bigint",
                    Column::Flag => "boolean",
                };
                format!("{name} {kind}")
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) {} SELECT {} FROM jsonb_to_recordset($1::jsonb) AS x ({})",
            table.name,
            names.join(", "),
            if table.numbered { "OVERRIDING SYSTEM VALUE" } else { "" },
            values.join(", "),
            record.join(", ")
        );
        sqlx::query(&sql).bind(crate::storage::to_json(rows)?).execute(&self.pool).await?;
        Ok(())
    }

    async fn finish_copy(&self) -> Result<(), AppError> {
        let mut tx = self.pool.begin().await?;
        for table in TABLES.iter().filter(|t| t.numbered) {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {0}",
                table.name
            ))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE change_counter SET last = (SELECT COALESCE(MAX(change_seq), 0) FROM change_log)")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
