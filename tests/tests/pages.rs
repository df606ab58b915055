//! Every page: its own title, focus on its heading after moving to it, and the header's focus style
//! readable (WCAG 2.2: 2.4.2 page titled, 2.4.3 focus order, 2.4.7 focus visible, 1.4.11 contrast).

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

use dsr_e2e_tests::{Browser, Server, ids};

const SERVICE: &str = " – Dynamic Support Register";

/// Moves to `path` as a link on the page would (the app's router, no page load), then waits until the
/// page is named `title` and focus is on its heading (the page's own: not "Opening…").
async fn move_to(browser: &Browser, path: &str, title: &str) {
    let script = format!(
        "const a = document.createElement('a'); a.href = {path:?}; a.id = 'test-link';
         document.getElementById('test-link')?.remove(); document.body.appendChild(a); a.click(); a.remove();"
    );
    browser.driver.execute(&script, Vec::new()).await.unwrap_or_else(|e| panic!("{path}: {e}"));
    browser
        .wait_until(
            &format!("{path} named {title:?}, focus on its heading"),
            &format!(
                "const h = document.querySelector('#{main} h1');
                 done(location.pathname === {path:?} && document.title === {full:?} && !!h
                      && document.activeElement === h && !h.textContent.startsWith('Opening'));",
                main = ids::MAIN,
                full = format!("{title}{SERVICE}"),
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_is_named_and_focus_moves_to_its_heading() {
    let server = Server::start_with(&["--demo"]).await;
    let records = server.records().await;
    let first = |kind: &str| {
        records
            .iter()
            .find(|(k, _, _)| k == kind)
            .map(|(_, id, fields)| (id.clone(), fields["person_id"].as_str().unwrap_or_default().to_string()))
            .unwrap_or_else(|| panic!("the demo area has no {kind}"))
    };
    let (review, review_person) = first("review");
    let (action, action_person) = first("action");
    let (referral, _) = first("referral");
    let (consent, consent_person) = first("consent");
    let person = review_person.clone();
    // Not on the device: the page says so, under its own name.
    let meeting = "0193c000-0000-7000-8000-00000000beef";

    let browser = Browser::start().await;
    // The first page the app opens on keeps focus at the top ("Skip to main content" comes first).
    browser.goto(&server.url).await;
    browser.element(ids::SIGN_IN_USERNAME).await;
    browser
        .wait_until(
            "the sign-in page named, focus at the top",
            &format!("done(document.title === 'Sign in{SERVICE}' && document.activeElement === document.body)"),
        )
        .await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::REGISTER_COUNT, "50 people").await;

    let review_path = format!("/people/{review_person}/reviews/{review}");
    let routes: Vec<(String, &str)> = vec![
        ("/people/new".into(), "Add a person to the register"),
        (format!("/people/{person}"), "A person on the register"),
        (format!("/people/{person}/edit"), "Change a person's details"),
        (format!("/people/{person}/visit-notes/new"), "Home visit note"),
        (format!("/people/{person}/multi-agency-meetings/new"), "Record a multi-agency meeting"),
        (format!("/people/{person}/partners"), "Partners for a review"),
        (format!("/people/{person}/consent/new"), "Record consent"),
        (format!("/people/{consent_person}/consent/{consent}/withdraw"), "Withdraw consent"),
        (format!("/people/{person}/admission/new"), "Record an admission"),
        (format!("/people/{person}/discharge"), "Record a discharge"),
        (format!("/people/{person}/leave"), "Take off the register"),
        (format!("/people/{person}/erase"), "Erasure request"),
        (format!("/people/{person}/risk/new"), "Risk checklist"),
        (format!("/people/{person}/reviews/new"), "Request a review"),
        (review_path.clone(), "A review"),
        (format!("{review_path}/arrange"), "Change the review's arrangements"),
        (format!("{review_path}/planner"), "My planner"),
        (format!("{review_path}/family-views"), "The family's views"),
        (format!("{review_path}/meeting"), "The review meeting"),
        (format!("{review_path}/papers"), "Papers for the panel"),
        (format!("{review_path}/actions"), "Recommendations and action plan"),
        (format!("{review_path}/report"), "The report"),
        (format!("{review_path}/report/easy-read"), "The report in easy read"),
        (format!("/people/{action_person}/actions/{action}"), "An action"),
        ("/actions".into(), "Follow-up: open actions"),
        ("/dashboard".into(), "Figures"),
        ("/meetings".into(), "DSR meetings"),
        (format!("/meetings/{meeting}"), "A DSR meeting"),
        (format!("/meetings/{meeting}/minutes"), "A DSR meeting's minutes"),
        ("/conflicts".into(), "Changes that clash"),
        ("/accounts".into(), "Accounts"),
        (format!("/accounts/{}/close", server.staff("closing", "keyworker").await), "Close an account"),
        ("/audit".into(), "Audit trail"),
        ("/policy".into(), "Area policy"),
        ("/policy/edit".into(), "Change the area's policy"),
        ("/referrals".into(), "Referrals waiting"),
        ("/referrals/new".into(), "Refer someone to the register"),
        (format!("/referrals/{referral}"), "A referral"),
        ("/no-such-page".into(), "Page not found"),
        ("/".into(), "Register"),
        ("/sign-out".into(), "Sign out"),
    ];
    let mut titles = std::collections::BTreeSet::new();
    for (path, title) in &routes {
        move_to(&browser, path, title).await;
        assert!(titles.insert(*title), "two pages are both named {title:?}");
    }
    // A title never names the person: the demo's people are nowhere in any of them.
    let names: Vec<String> =
        server.people().await.iter().filter_map(|p| p["family_name"].as_str().map(str::to_owned)).collect();
    for title in &titles {
        assert!(!names.iter().any(|n| title.contains(n.as_str())), "{title:?} names someone");
    }

    // The header's links, focused: dark text on yellow (at least 4.5:1), and the yellow against the
    // header's blue at least 3:1.
    move_to(&browser, "/", "Register").await;
    let contrast = browser
        .driver
        .execute(
            "const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
             const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
               return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
             const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
             const header = getComputedStyle(document.querySelector('.nhsuk-header')).backgroundColor;
             return [...document.querySelectorAll('header a')].map(a => { a.focus(); const s = getComputedStyle(a);
               return [a.textContent.trim() || a.getAttribute('aria-label'), ratio(s.color, s.backgroundColor), ratio(s.backgroundColor, header)]; });",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let links: Vec<(String, f64, f64)> = serde_json::from_value(contrast.json().clone()).unwrap_or_default();
    assert!(links.len() >= 6, "the coordinator's header links: {links:?}");
    for (link, text, against_header) in &links {
        assert!(
            *text >= 4.5 && *against_header >= 3.0,
            "{link:?} focused: text {text:.2}:1, against the header {against_header:.2}:1"
        );
    }
    browser
        .driver
        .execute(&format!("document.getElementById('{}').focus()", ids::MEETINGS_LINK), Vec::new())
        .await
        .ok();
    browser.screenshot("header-link-focused").await;
    browser.quit().await;

    // A family's home is named for them; the pages with no account are named too.
    let family = Browser::start().await;
    family.sign_in(&server, "family", &server.password).await;
    move_to(&family, "/no-such-page", "Page not found").await;
    move_to(&family, "/", "Your child's review").await;
    family.quit().await;
    let public = Browser::start().await;
    public.goto(&server.url).await;
    public.element(ids::SIGN_IN_USERNAME).await;
    for (path, title) in [
        ("/self-referral", "Ask for support to stay at home"),
        ("/self-referral/status", "Check a referral you sent"),
        ("/invitation", "Set up your account"),
        ("/reset-password", "Choose a new password"),
    ] {
        move_to(&public, path, title).await;
    }
    public.quit().await;
}
