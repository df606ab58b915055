//! The area's figures (issue 18) on the demo area: the dashboard worked out on the coordinator's tablet
//! (held upright, no sideways scrolling; a screenshot kept), its figures the register's, still there
//! offline; the register and follow-up downloaded as CSV and XLSX and read back; the anonymised return
//! the device previews is the one the server sends.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use base64::Engine;
use dsr_e2e_tests::{Browser, Server, ids};

/// Fetches `href` in the page (with the page's session cookie, as the link would) and gives its bytes.
async fn download(browser: &Browser, href: &str) -> Vec<u8> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         fetch({href:?}, {{ credentials: 'same-origin' }}).then(async r => {{
           if (!r.ok) {{ done('error ' + r.status + ' ' + await r.text()); return; }}
           const bytes = new Uint8Array(await r.arrayBuffer()); let text = '';
           for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
           done(btoa(text));
         }}).catch(e => done('error ' + e));"
    );
    let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    let text = answer.json().as_str().unwrap_or_default().to_string();
    assert!(!text.starts_with("error"), "{href}: {text}");
    base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_else(|e| panic!("{href}: {e}"))
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")).iter().map(str::to_string).collect())
        .collect()
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap_or_else(|e| panic!("not a workbook: {e}"));
    let sheet = workbook.sheet_names().first().cloned().unwrap_or_default();
    let range = workbook.worksheet_range(&sheet).unwrap_or_else(|e| panic!("{e}"));
    range.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect()
}

async fn href(browser: &Browser, id: &str) -> String {
    browser.element(id).await.attr("href").await.ok().flatten().unwrap_or_else(|| panic!("{id} has no link"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_sees_the_areas_figures_offline_and_downloads_what_the_server_counts() {
    let server = Server::start_with(&["--demo"]).await;
    let records = server.records().await;
    let people: Vec<&serde_json::Value> =
        records.iter().filter(|(kind, _, _)| kind == "person").map(|(_, _, fields)| fields).collect();
    let on_register = people.iter().filter(|p| p["register_status"]["status"] == "on_register").count();
    let latest = server.latest_change().await;

    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_cursor(latest).await;
    browser.click(ids::DASHBOARD_LINK).await;
    let now = browser.wait_for_text(ids::DASHBOARD_NOW, &format!("{on_register} people on the register on")).await;
    // Every figure with what it counts, a table, and (where it has one) a chart with numbers on it.
    for measure in dsr_shared_measures() {
        let section = browser.element(&ids::figure(measure)).await;
        let text = section.text().await.unwrap_or_default();
        assert!(text.contains("What this counts"), "{measure}: {text}");
        assert!(section.find(thirtyfour::By::Tag("table")).await.is_ok(), "{measure} has no table");
    }
    let chart_numbers = browser
        .driver
        .execute(
            "return [...document.querySelectorAll('#figure-register_by_rating svg.dsr-chart text.dsr-chart-value')].map(t => t.textContent)",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(chart_numbers.json().as_array().is_some_and(|a| !a.is_empty()), "no numbers on the chart: {now}");
    assert_eq!(browser.sideways_overflow().await, Vec::<String>::new(), "the dashboard scrolls sideways");
    // Each share's bar is as long as its words say (drawn, not blocked as an inline style would be).
    let shares = browser
        .driver
        .execute(
            "return [...document.querySelectorAll('.dsr-share')].map(s => {
               const met = s.querySelector('.dsr-share__met').getBoundingClientRect().width;
               const all = s.querySelector('.dsr-share__rest').getBoundingClientRect().width;
               const words = s.querySelector('.dsr-share__words').textContent;
               const said = (words.match(/[(]([0-9]+)%[)]/) || [null, '0'])[1];
               return [Math.round(met / all * 100), Number(said), words];
             })",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let shares: Vec<(i64, i64, String)> = serde_json::from_value(shares.json().clone()).unwrap_or_default();
    assert_eq!(shares.len(), 4, "{shares:?}");
    for (drawn, said, words) in shares {
        assert!((drawn - said).abs() <= 1, "{words}: drawn {drawn}%");
    }
    browser.screenshot("dashboard-demo-area").await;
    for measure in
        ["register_by_rating", "admissions_and_discharges", "community_review_before_admission", "open_actions"]
    {
        browser
            .driver
            .execute(&format!("document.getElementById('{}').scrollIntoView()", ids::figure(measure)), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        browser.screenshot(&format!("dashboard-{measure}")).await;
    }

    // Printed: the figures and their tables, not the filters or the downloads.
    let (_, flat) = browser.printed("dashboard-printed").await;
    for words in [
        "Peopleontheregisterbyrating",
        &format!("{on_register}peopleontheregisteron"),
        "Admissionsanddischarges",
        "Keyworkerreferralsofferedandaccepted",
    ] {
        assert!(flat.contains(words), "{words} is not printed");
    }
    for hidden in ["Downloads", "Ageband", "Backtotheregister"] {
        assert!(!flat.contains(hidden), "{hidden} is printed");
    }

    // The anonymised return: the device's preview is the server's file, row for row.
    let preview = browser.element(ids::RETURN_PREVIEW).await;
    let cells: Vec<String> = {
        let mut cells = Vec::new();
        for cell in preview.find_all(thirtyfour::By::Css("tbody td")).await.unwrap_or_default() {
            cells.push(cell.text().await.unwrap_or_default());
        }
        cells
    };
    let preview_rows: Vec<Vec<String>> = cells.chunks(3).map(<[String]>::to_vec).collect();
    let file = csv_rows(&download(&browser, &href(&browser, ids::DOWNLOAD_RETURN_CSV).await).await);
    assert_eq!(file[0], ["Month end", "Breakdown", "Category", "Number of people"]);
    let served: Vec<Vec<String>> =
        file[1..].iter().filter(|r| r[0] != "Note").map(|r| vec![r[1].clone(), r[2].clone(), r[3].clone()]).collect();
    assert_eq!(preview_rows, served);
    let workbook = xlsx_rows(&download(&browser, &href(&browser, ids::DOWNLOAD_RETURN_XLSX).await).await);
    assert_eq!(workbook.len(), file.len());
    // Nobody is named in it.
    for person in &people {
        let family = person["family_name"].as_str().unwrap_or("?");
        assert!(file.iter().flatten().all(|cell| !cell.contains(family)), "{family} is in the return");
    }

    // The register and the follow-up list, as CSV and as a workbook: one row per person, every open action.
    let register = csv_rows(&download(&browser, &href(&browser, ids::DOWNLOAD_REGISTER_CSV).await).await);
    assert_eq!(register.len(), people.len() + 1, "{:?}", register.first());
    assert_eq!(register[0][0], "Family name");
    let register_xlsx = xlsx_rows(&download(&browser, &href(&browser, ids::DOWNLOAD_REGISTER_XLSX).await).await);
    assert_eq!(register_xlsx.len(), register.len());
    let mut families: Vec<String> = register[1..].iter().map(|r| r[0].clone()).collect();
    families.sort();
    let mut expected: Vec<String> =
        people.iter().map(|p| p["family_name"].as_str().unwrap_or_default().to_string()).collect();
    expected.sort();
    assert_eq!(families, expected);
    let open_actions = records
        .iter()
        .filter(|(kind, _, fields)| {
            kind == "action" && matches!(fields["status"].as_str(), Some("open" | "in_progress"))
        })
        .count();
    let follow_up = xlsx_rows(&download(&browser, &href(&browser, ids::DOWNLOAD_FOLLOW_UP_XLSX).await).await);
    assert_eq!(follow_up.len(), open_actions + 1, "{follow_up:?}");
    let follow_up_csv = csv_rows(&download(&browser, &href(&browser, ids::DOWNLOAD_FOLLOW_UP_CSV).await).await);
    assert_eq!(follow_up_csv.len(), follow_up.len());
    // Each download is in the audit trail.
    let audit = server.get_text("/api/audit/export").await;
    for action in ["export.register", "export.follow_up", "export.return"] {
        assert!(audit.contains(action), "{action} not audited");
    }

    // Offline: the figures stay (worked out on the tablet); downloads say they need a connection.
    browser.set_offline(true).await;
    browser.wait_for_text(ids::DOWNLOADS, "Downloads need a connection").await;
    browser.wait_for_text(ids::DASHBOARD_NOW, &format!("{on_register} people on the register on")).await;
    // Children only: the heading says so.
    browser
        .element(ids::DASHBOARD_AGE)
        .await
        .find(thirtyfour::By::Css("option[value='child']"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.wait_for_text(ids::DASHBOARD, "Children (under 13),").await;
    browser.quit().await;

    // A keyworker sees their caseload's figures (the ten people the demo gives them), and no downloads.
    let browser = Browser::start().await;
    browser.sign_in(&server, "keyworker", &server.password).await;
    browser.click(ids::DASHBOARD_LINK).await;
    browser.wait_for_text(ids::MAIN, "Your caseload's figures").await;
    browser.wait_for_text(ids::DASHBOARD_NOW, "10 people on the register on").await;
    let downloads = browser.driver.find(thirtyfour::By::Id(ids::DOWNLOADS)).await;
    assert!(downloads.is_err(), "a keyworker is offered downloads");
    let refused = server_status_as(&browser, "/api/exports/register").await;
    assert_eq!(refused, 403);
    browser.quit().await;

    // An advocate's device holds no ratings: no figures (they would say "not rated"), and it says why.
    let browser = Browser::start().await;
    browser.sign_in(&server, "advocate", &server.password).await;
    browser.wait_for_text(ids::SIGNED_IN_AS, "Ali Advocate").await;
    // As a link on the page would (the app's router, no page load: a load would ask to unlock again).
    browser
        .driver
        .execute("const a = document.createElement('a'); a.href = '/dashboard'; document.body.appendChild(a); a.click(); a.remove();", Vec::new())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.wait_for_text(ids::DASHBOARD_NOT_SHOWN, "The figures are for DSR coordinators and keyworkers").await;
    assert!(browser.driver.find(thirtyfour::By::Id(ids::DASHBOARD)).await.is_err(), "an advocate is shown figures");
    browser.quit().await;
}

/// The status the server answers `path` with, asked from the page (with its session).
async fn server_status_as(browser: &Browser, path: &str) -> i64 {
    let script = format!(
        "const done = arguments[arguments.length - 1]; fetch({path:?}, {{ credentials: 'same-origin' }}).then(r => done(r.status), () => done(0));"
    );
    let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    answer.json().as_i64().unwrap_or(0)
}

/// The measures' names (the sections' ids), as `dsr_shared::measures::Measure::name` gives them.
fn dsr_shared_measures() -> [&'static str; 10] {
    [
        "register_by_rating",
        "admissions_and_discharges",
        "inpatients",
        "referrals",
        "community_review_before_admission",
        "post_admission_reviews_on_time",
        "reports_on_time",
        "oversight_visits_on_time",
        "open_actions",
        "keyworker_referrals",
    ]
}
