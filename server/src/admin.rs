//! Administration commands run from the shell (`dsr-server create-coordinator ...`).

use std::io::BufRead;

use dsr_shared::ValidationErrors;
use dsr_shared::access::Role;
use dsr_shared::accounts::{check_display_name, check_password, check_username, normalise_username};

use crate::accounts_store::NewUser;
use crate::audit_store::AuditEvent;
use crate::config::Command;
use crate::{AppError, Clock, Config, StartError, Store};

pub async fn run(config: &Config, command: &Command) -> Result<(), StartError> {
    match command {
        Command::CreateCoordinator { area, username, name } => {
            let password = match std::env::var("DSR_NEW_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    eprintln!("Password for {username} (one line):");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line).map_err(StartError::Serve)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|source| StartError::DataDir { path: config.data_dir.clone(), source })?;
            let store = Store::open_url(&config.database_url()).await?;
            let area_name = create_coordinator(&store, &Clock::System, area, username, name, &password)
                .await
                .map_err(StartError::Admin)?;
            println!("Created DSR coordinator {} for {area_name}.", normalise_username(username));
            Ok(())
        }
        Command::Backup { to } => {
            let changes = crate::store::backup_database(&config.database_url(), to).await?;
            println!("Backed up to {} ({changes} changes in its log).", to.display());
            Ok(())
        }
        Command::CopyDatabase { from, to } => {
            let (from_shown, to_shown) = (crate::store::redacted(from), crate::store::redacted(to));
            println!("Copying {from_shown} into {to_shown}");
            let copied = crate::store::copy_database(from, to).await?;
            for table in &copied {
                println!(
                    "  {:<26} {:>9} row(s), checksum {}, the same in the copy",
                    table.table, table.rows, table.checksum
                );
            }
            let rows: u64 = copied.iter().map(|t| t.rows).sum();
            println!("Copied {rows} rows in {} tables; every count and checksum matches.", copied.len());
            Ok(())
        }
    }
}

/// Makes the area when missing and a coordinator in it. Returns the area's name.
pub async fn create_coordinator(
    store: &Store,
    clock: &Clock,
    area: &str,
    username: &str,
    name: &str,
    password: &str,
) -> Result<String, AppError> {
    let mut errors = ValidationErrors::new();
    errors.require(area.trim().is_empty(), "area", "Name the area");
    check_username(&mut errors, "username", username);
    check_display_name(&mut errors, "name", name);
    check_password(&mut errors, "password", password, username);
    errors.into_result()?;
    let now = clock.now();
    let area = match store.area_by_name(area.trim()).await? {
        Some(area) => area,
        None => store.create_area(area.trim(), now).await?,
    };
    let hash = crate::passwords::hash_password(password.to_string()).await?;
    let username = normalise_username(username);
    let user = NewUser {
        area_id: &area.id,
        username: Some(&username),
        display_name: name,
        role: Role::Coordinator,
        password_hash: Some(&hash),
        created_by: None,
        young_person: false,
    };
    let id = store.create_user(&user, now).await?;
    let event = AuditEvent {
        action: "user.create",
        area_id: Some(area.id.clone()),
        user_id: Some(id),
        detail: Some("first coordinator, made by the server command".into()),
        ..AuditEvent::default()
    };
    store.audit(&event, now).await?;
    Ok(area.name)
}
