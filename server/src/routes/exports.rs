//! `/api/exports`: what a DSR coordinator downloads: the register and the follow-up list (CSV or XLSX,
//! with the register's filters) and the anonymised aggregate return for a month end. Coordinators only;
//! every download is audited with who, when, which filters and how many rows. Worked out from the area's
//! records with the same `shared` code as the app's dashboard (`dsr_shared::measures`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use dsr_shared::ValidationErrors;
use dsr_shared::api::ApiError;
use dsr_shared::due::PersonFile;
use dsr_shared::measures::aggregate::aggregate_return;
use dsr_shared::measures::export::{Cell, ExportFilters, Table, follow_up_table, register_table, return_table};
use dsr_shared::policy::AreaPolicy;
use serde::Deserialize;

use crate::AppState;
use crate::audit_store::AuditEvent;
use crate::auth::CurrentUser;
use crate::error::{ApiQuery, AppError};

/// The file format asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Csv,
    Xlsx,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A download of the register or the follow-up list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` (the default) or `xlsx`.
    format: Option<Format>,
    /// Only these ratings, separated by commas: red, amber, green, blue, not_rated.
    rating: Option<String>,
    /// Only people referred, on_register or left.
    status: Option<String>,
    /// Only this age band: child, young_person or adult.
    age: Option<String>,
    /// `yes`: only people with something overdue (the register), only overdue actions (the follow-up).
    overdue: Option<String>,
}

impl ExportQuery {
    fn filters(&self) -> Result<ExportFilters, AppError> {
        let fields: BTreeMap<String, String> =
            [("rating", &self.rating), ("status", &self.status), ("age", &self.age), ("overdue", &self.overdue)]
                .into_iter()
                .filter_map(|(field, value)| value.clone().map(|v| (field.to_string(), v)))
                .collect();
        Ok(ExportFilters::parse(&fields)?)
    }
}

/// The aggregate return for a month end.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReturnQuery {
    /// `csv` (the default) or `xlsx`.
    format: Option<Format>,
    /// The last day of a month that has ended, as YYYY-MM-DD.
    month_end: String,
}

/// The workbook of one table: its columns' names in bold and frozen, dates as dates, numbers as numbers,
/// text as text (never a formula).
fn to_xlsx(table: &Table) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as Style, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Corrupt(format!("cannot write the spreadsheet: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name: String = table.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    sheet.set_name(name).map_err(fail)?;
    let bold = Style::new().set_bold();
    let day = Style::new().set_num_format("dd/mm/yyyy");
    for (column, title) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold).map_err(fail)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (column, cell) in row.iter().enumerate() {
            let c = column as u16;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(r, c, text).map_err(fail)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n as f64).map_err(fail)?;
                }
                Cell::Date(d) => {
                    let date =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(fail)?;
                    sheet.write_datetime_with_format(r, c, &date, &day).map_err(fail)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet.autofit();
    workbook.save_to_buffer().map_err(fail)
}

/// The file of `table`, named `stem-<today>.<format>`, never cached.
async fn download(table: Table, format: Format, stem: String, today: NaiveDate) -> Result<impl IntoResponse, AppError> {
    let (content_type, body) = match format {
        Format::Csv => ("text/csv; charset=utf-8", table.to_csv().map_err(AppError::Corrupt)?.into_bytes()),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            tokio::task::spawn_blocking(move || to_xlsx(&table))
                .await
                .map_err(|e| AppError::Corrupt(format!("cannot write the spreadsheet: {e}")))??,
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}-{today}.{}\"", format.name())),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    ))
}

/// Records the download: who, when (the entry's time), what, which filters, how many rows.
async fn audit(
    state: &AppState,
    user: &CurrentUser,
    action: &'static str,
    format: Format,
    filters: String,
    rows: usize,
) -> Result<(), AppError> {
    let event = AuditEvent::by(user, action).detail(format!("format={}; {filters}; {rows} rows", format.name()));
    state.store.audit(&event, state.clock.now()).await
}

#[utoipa::path(get, path = "/exports/register", tag = "exports",
    params(ExportQuery),
    responses(
        (status = 200, description = "The register as CSV or XLSX: one row per person the filters keep, in name order, with the columns \
            of a coordinator's spreadsheet (names, NHS number, date of birth, age band, diagnosis, status, rating with its day and reason, \
            keyworker, care coordinator, EHC plan, hospital stay, last C(E)TR, next due item, overdue items). Audited as export.register", content_type = "text/csv", body = String),
        (status = 400, description = "A query field that is not a filter, or a format that is neither csv nor xlsx", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 422, description = "A filter's value is not one of its choices", body = ApiError),
    ))]
pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<impl IntoResponse, AppError> {
    export(&state, &user, &query, "export.register", "register", register_table).await
}

#[utoipa::path(get, path = "/exports/follow-up", tag = "exports",
    params(ExportQuery),
    responses(
        (status = 200, description = "The follow-up list as CSV or XLSX: every open action of the people the filters keep (only the overdue \
            ones with overdue=yes), by owner then due day, with the owner's agency, the person, the action, due day, status, where it came from, \
            the latest update and whether the family disagrees. Audited as export.follow_up", content_type = "text/csv", body = String),
        (status = 400, description = "A query field that is not a filter, or a format that is neither csv nor xlsx", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 422, description = "A filter's value is not one of its choices", body = ApiError),
    ))]
pub async fn follow_up(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<impl IntoResponse, AppError> {
    export(&state, &user, &query, "export.follow_up", "follow-up", follow_up_table).await
}

/// A download of the area's people as `table` makes it: for coordinators, with the query's filters,
/// audited as `action`, in a file named after `stem`.
async fn export(
    state: &AppState,
    user: &CurrentUser,
    query: &ExportQuery,
    action: &'static str,
    stem: &str,
    table: fn(&[PersonFile], &AreaPolicy, &ExportFilters, NaiveDate) -> Table,
) -> Result<impl IntoResponse + use<>, AppError> {
    user.require_coordinator()?;
    let filters = query.filters()?;
    let format = query.format.unwrap_or_default();
    let today = state.clock.today();
    let policy = state.store.policy_of(user).await?.policy;
    let files = state.store.area_files(&user.area_id).await?;
    let table = table(&files, &policy, &filters, today);
    audit(state, user, action, format, filters.describe(), table.rows.len()).await?;
    download(table, format, stem.to_string(), today).await
}

/// The month end asked for: the last day of a month that has ended by `today`.
fn month_end(text: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let mut errors = ValidationErrors::new();
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    match day {
        None => errors.add("month_end", "Enter the month end as a date, for example 2026-11-30"),
        Some(day) if day.succ_opt().is_none_or(|next| next.day() != 1) => {
            errors.add("month_end", "Choose the last day of a month, for example 2026-11-30")
        }
        Some(day) if day >= today => errors.add("month_end", "Choose a month that has ended"),
        Some(_) => {}
    }
    match day {
        Some(day) if errors.is_empty() => Ok(day),
        _ => Err(AppError::Validation(errors)),
    }
}

#[utoipa::path(get, path = "/exports/return", tag = "exports",
    params(ReturnQuery),
    responses(
        (status = 200, description = "The anonymised aggregate return for a month end, as CSV or XLSX: the people on the register that day \
            counted by rating, age band, diagnosis and inpatient status, with small numbers hidden and the total rounded as the area's policy \
            says (default: 1 to 4 shown as *, totals to the nearest 5). No names, NHS numbers, dates of birth or free text. Audited as \
            export.return", content_type = "text/csv", body = String),
        (status = 400, description = "A query field other than format and month_end, or a format that is neither csv nor xlsx", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 422, description = "The month end is not the last day of a month that has ended", body = ApiError),
    ))]
pub async fn aggregate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<ReturnQuery>,
) -> Result<impl IntoResponse, AppError> {
    user.require_coordinator()?;
    let today = state.clock.today();
    let month_end = month_end(&query.month_end, today)?;
    let format = query.format.unwrap_or_default();
    let policy = state.store.policy_of(&user).await?.policy;
    let files = state.store.area_files(&user.area_id).await?;
    let figures = aggregate_return(&files, month_end, &policy.returns);
    let table = return_table(&figures);
    audit(&state, &user, "export.return", format, format!("month_end={month_end}"), figures.rows.len()).await?;
    download(table, format, format!("return-{month_end}"), today).await
}
