//! The database: SQLite through sqlx. Every query the server makes is a method here, so another
//! database (PostgreSQL) can sit behind the same interface later.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::{NhsNumber, Person, PersonId, PersonName};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::AppError;

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// What happened to a person sent by a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Stored now.
    New(Person),
    /// Already stored with the same details (the device sent it again).
    AlreadyStored(Person),
}

impl Store {
    /// Opens the database file (creating it when missing) in WAL mode with `synchronous=FULL`, so an
    /// answered write survives a power cut, and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self, crate::StartError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A pragma's value, for tests and diagnostics (`journal_mode`, `synchronous`).
    pub async fn pragma(&self, name: &str) -> Result<String, AppError> {
        if !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return Err(AppError::Corrupt(format!("not a pragma name: {name}")));
        }
        let row: (String,) =
            sqlx::query_as(&format!("SELECT CAST({name} AS TEXT) FROM pragma_{name}")).fetch_one(&self.pool).await?;
        Ok(row.0)
    }

    pub async fn list_people(&self) -> Result<Vec<Person>, AppError> {
        let rows: Vec<PersonRow> = sqlx::query_as(
            "SELECT id, given_name, family_name, date_of_birth, nhs_number FROM people
             ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Person::try_from).collect()
    }

    pub async fn get_person(&self, id: PersonId) -> Result<Option<Person>, AppError> {
        let row: Option<PersonRow> =
            sqlx::query_as("SELECT id, given_name, family_name, date_of_birth, nhs_number FROM people WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        row.map(Person::try_from).transpose()
    }

    /// Stores a new person. Sending the same person again is answered with what is stored; a
    /// different person under an id already used is a conflict, and nothing is overwritten.
    pub async fn create_person(&self, person: &Person, now: DateTime<Utc>) -> Result<Created, AppError> {
        let inserted = insert_person(&self.pool, person, now).await?;
        if inserted {
            return Ok(Created::New(person.clone()));
        }
        match self.get_person(person.id).await? {
            Some(stored) if stored == *person => Ok(Created::AlreadyStored(stored)),
            _ => Err(AppError::Conflict(format!(
                "A different person is already stored with id {}; nothing was changed",
                person.id
            ))),
        }
    }

    /// Adds the demo people that are not there yet, in one transaction; returns how many were added.
    pub async fn add_demo_people(&self, people: &[Person], now: DateTime<Utc>) -> Result<u64, AppError> {
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for person in people {
            if insert_person(&mut *tx, person, now).await? {
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }
}

/// Inserts unless the id is taken; true when inserted.
async fn insert_person<'e, E>(executor: E, person: &Person, now: DateTime<Utc>) -> Result<bool, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    let result = sqlx::query(
        "INSERT INTO people (id, given_name, family_name, date_of_birth, nhs_number, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(person.id.to_string())
    .bind(person.given_name.as_str())
    .bind(person.family_name.as_str())
    .bind(person.date_of_birth.format("%Y-%m-%d").to_string())
    .bind(person.nhs_number.map(|n| n.digits()))
    .bind(now.to_rfc3339())
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    nhs_number: Option<String>,
}

/// Rows are checked on the way out too: the domain's types hold only valid values.
impl TryFrom<PersonRow> for Person {
    type Error = AppError;
    fn try_from(row: PersonRow) -> Result<Self, Self::Error> {
        let corrupt = |what: &str| AppError::Corrupt(format!("person {}: {what}", row.id));
        // Only the identity fields exist here (the API takes no others yet); the sync engine's records
        // replace this table.
        Ok(Person::new(
            PersonId::from_str(&row.id).map_err(|_| corrupt("id"))?,
            PersonName::parse(&row.given_name).map_err(|_| corrupt("given_name"))?,
            PersonName::parse(&row.family_name).map_err(|_| corrupt("family_name"))?,
            NaiveDate::parse_from_str(&row.date_of_birth, "%Y-%m-%d").map_err(|_| corrupt("date_of_birth"))?,
            row.nhs_number.as_deref().map(NhsNumber::parse).transpose().map_err(|_| corrupt("nhs_number"))?,
        ))
    }
}
