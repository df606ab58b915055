//! The register and the "Add person" form, end to end: the real server binary, the built app,
//! headless Chromium.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

use dsr_e2e_tests::{Browser, PASSWORD, Server, ids};

/// Fills the "Add person" form (the page must be open).
async fn fill_person_form(browser: &Browser, given: &str, family: &str, dob: (&str, &str, &str), nhs: &str) {
    browser.type_into(ids::GIVEN_NAME, given).await;
    browser.type_into(ids::FAMILY_NAME, family).await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, dob.0).await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, dob.1).await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, dob.2).await;
    browser.type_into(ids::NHS_NUMBER, nhs).await;
}

async fn open_add_person(browser: &Browser, server: &Server) {
    browser.sign_in_as_coordinator(server).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.element(ids::GIVEN_NAME).await;
    assert_eq!(browser.path().await, "/people/new");
}

#[tokio::test(flavor = "multi_thread")]
async fn added_person_is_listed_kept_after_reload_and_on_the_server() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    open_add_person(&browser, &server).await;
    fill_person_form(&browser, "Alex", "Example", ("23", "4", "2011"), "943 476 5919").await;
    browser.click(ids::SAVE_PERSON).await;

    browser.wait_for_text(ids::NOTICE, "Alex Example was saved on this device").await;
    assert_eq!(browser.path().await, "/");
    // Sent: the row turns to "Sent" once the server has it.
    let row = browser.css("tr[data-on-server='true']").await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("Alex Example") && text.contains("943 476 5919") && text.contains("Sent"), "{text}");
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;

    let people = server.people().await;
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0]["given_name"], "Alex");
    assert_eq!(people[0]["family_name"], "Example");
    assert_eq!(people[0]["date_of_birth"], "2011-04-23");
    assert_eq!(people[0]["nhs_number"], "9434765919");
    let id = people[0]["id"].as_str().unwrap_or_default().to_string();

    browser.reload().await;
    browser.unlock(PASSWORD).await;
    let row = browser.element(&ids::person_row(&id)).await;
    assert!(row.text().await.unwrap_or_default().contains("Alex Example"));
    let stored = browser.indexeddb_values("records").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], id.as_str());
    assert!(stored[0].get("fields").is_none(), "the record is stored sealed: {}", stored[0]);
    assert!(!browser.indexeddb_dump().await.contains("Example"), "no name in the stored bytes");
    assert!(browser.indexeddb_values("outbox").await.is_empty(), "the answered change left the outbox");

    let shot = browser.screenshot("register").await;
    assert!(std::fs::metadata(&shot).map(|m| m.len() > 10_000).unwrap_or(false), "{}", shot.display());

    // A tablet either way up: nothing scrolls sideways.
    for (width, height, name) in [(1024, 768, "register-landscape"), (768, 1024, "register-portrait")] {
        browser.resize(width, height).await;
        browser.element(ids::REGISTER_TABLE).await;
        assert_eq!(browser.sideways_overflow().await, Vec::<String>::new(), "{width}x{height}");
        browser.screenshot(name).await;
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_nhs_number_shows_the_error_and_stores_nothing() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    open_add_person(&browser, &server).await;
    fill_person_form(&browser, "Sam", "Sample", ("1", "2", "2015"), "943 476 5918").await;
    browser.click(ids::SAVE_PERSON).await;

    let summary = browser.wait_for_text(ids::ERROR_SUMMARY, "There is a problem").await;
    assert!(summary.contains("This is not a valid NHS number"), "{summary}");
    let field_error = browser.wait_for_text(&ids::error_message(ids::NHS_NUMBER), "not a valid NHS number").await;
    assert!(field_error.starts_with("Error:"), "{field_error}");
    let input_class = browser.element(ids::NHS_NUMBER).await.attr("class").await.ok().flatten().unwrap_or_default();
    assert!(input_class.contains("nhsuk-input--error"), "{input_class}");
    assert_eq!(browser.path().await, "/people/new", "the form stays open");
    browser.screenshot("add-person-error").await;

    // Nothing on this device, nothing on the server.
    assert!(browser.indexeddb_values("records").await.is_empty());
    assert!(browser.indexeddb_values("outbox").await.is_empty());
    assert!(server.people().await.is_empty());

    // The summary's link takes the keyboard to the field.
    browser.css(&format!("#{} a", ids::ERROR_SUMMARY)).await.click().await.unwrap_or_else(|e| panic!("{e}"));
    let active = browser.driver.active_element().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(active.id().await.ok().flatten().as_deref(), Some(ids::NHS_NUMBER));

    // Fixed, it saves.
    browser.type_into(ids::NHS_NUMBER, "943 476 5919").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Sam Sample was saved on this device").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn person_saved_while_the_server_is_down_is_marked_not_sent_then_sent() {
    let mut server = Server::start().await;
    let browser = Browser::start().await;
    open_add_person(&browser, &server).await;
    server.kill().await;

    fill_person_form(&browser, "Jordan", "Demoford", ("9", "12", "2008"), "").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Jordan Demoford was saved on this device").await;
    let row = browser.css("tr[data-on-server='false']").await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("Jordan Demoford") && text.contains("not sent yet") && text.contains("Not known"), "{text}");
    browser.wait_for_text(ids::UNSYNCED, "1 change saved on this device, not sent yet").await;
    browser.wait_for_text(ids::CONNECTION, "Server not reachable").await;
    browser.screenshot("register-unsent").await;

    // Back up: the next sync (here, the one a reload starts) sends it.
    server.restart().await;
    browser.reload().await;
    browser.unlock(PASSWORD).await;
    browser.css("tr[data-on-server='true']").await;
    browser.wait_for_text(ids::CONNECTION, "Online").await;
    let people = server.people().await;
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["family_name"], "Demoford");
    assert!(people[0]["nhs_number"].is_null());
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_area_lists_fifty_fictional_people() {
    let server = Server::start_with(&["--demo"]).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::DEMO_BANNER, "Everyone listed is fictional").await;
    browser.wait_for_text(ids::REGISTER_COUNT, "50 people").await;
    let sent = browser.driver.find_all(thirtyfour::By::Css("tr[data-on-server='true']")).await.unwrap_or_default();
    assert_eq!(sent.len(), 50);
    let numbers: Vec<String> =
        server.people().await.iter().filter_map(|p| p["nhs_number"].as_str().map(str::to_owned)).collect();
    assert_eq!(numbers.len(), 40, "one in five has no NHS number");
    assert!(numbers.iter().all(|n| n.starts_with("999")), "{numbers:?}");
    browser.screenshot("register-demo").await;
    browser.quit().await;
}
