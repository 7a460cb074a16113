//! Email for people away, received by a real SMTP server (Python's
//! aiosmtpd, Debian's `python3-aiosmtpd`) on 127.0.0.1.

use std::process::Stdio;
use std::time::Duration;

use bureau_bus::Bus;
use bureau_core::Role;
use bureau_server::MailSettings;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::Office;

const PYTHON: &str = "/usr/bin/python3";

/// An SMTP sink that hands over each message it receives, whole.
struct Sink {
    port: u16,
    messages: tokio::sync::mpsc::UnboundedReceiver<String>,
    _child: tokio::process::Child,
}

async fn sink() -> Option<Sink> {
    let available = std::process::Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test email: install python3-aiosmtpd (cargo xtask test does, as root)"
        );
        eprintln!("skipping: {PYTHON} has no aiosmtpd (apt-get install python3-aiosmtpd)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(PYTHON)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .env("PYTHONUNBUFFERED", "1")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("aiosmtpd starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (send, messages) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut current = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("END MESSAGE") {
                let _ = send.send(std::mem::take(&mut current));
            } else if !line.contains("MESSAGE FOLLOWS") {
                current.push_str(&line);
                current.push('\n');
            }
        }
    });
    // Wait until it accepts connections.
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some(Sink {
        port,
        messages,
        _child: child,
    })
}

#[tokio::test]
async fn mentions_and_dms_left_unread_arrive_as_one_digest() {
    let Some(mut sink) = sink().await else { return };
    let mut databases = vec![bureau_store::testing::sqlite_url("mail")];
    databases.extend(bureau_store::testing::postgres_url("mail").await);
    for database in databases {
        digest_on(&database, &mut sink).await;
    }
}

async fn digest_on(database: &str, sink: &mut Sink) {
    let mail = MailSettings {
        smtp_url: format!("smtp://127.0.0.1:{}", sink.port),
        from: "bureau <bureau@office.test>".into(),
        // Long enough that Carol's read lands first even on a loaded
        // machine.
        unread_for: Duration::from_secs(3),
        every: Duration::from_millis(200),
    };
    let office = Office::start_with(database, Bus::local("mail"), Some(mail)).await;
    let alice = office.person("alice", Role::Member).await;
    let bob = office.person("bob", Role::Member).await;
    let carol = office.person("carol", Role::Member).await;
    for (who, address) in [(&bob, "bob@office.test"), (&carol, "carol@office.test")] {
        let (status, body) = who.patch("/api/v1/me", json!({ "email": address })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, channel) = alice
        .post("/api/v1/channels", json!({ "name": "general" }))
        .await;
    let general = channel["id"].as_i64().unwrap();
    for who in [&bob, &carol] {
        let id = who.my_id().await;
        alice
            .post(
                &format!("/api/v1/channels/{general}/members"),
                json!({ "user_id": id }),
            )
            .await;
    }
    let post = |text: &'static str| {
        let alice = alice.clone();
        async move {
            let (status, body) = alice
                .post(
                    &format!("/api/v1/channels/{general}/messages"),
                    json!({ "text": text }),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_i64().unwrap()
        }
    };
    post("no mention here").await;
    post("@bob the release notes, please").await;
    // Over two of the digest's rounds apart: still one email, holding both.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let both = post("@bob and @carol: standup moved to 10:00").await;
    // Carol reads at once; Bob is away.
    carol
        .post(
            &format!("/api/v1/channels/{general}/read"),
            json!({ "last_read_id": both }),
        )
        .await;

    let message = tokio::time::timeout(Duration::from_secs(15), sink.messages.recv())
        .await
        .expect("an email within 15 s")
        .unwrap();
    assert!(message.contains("To: bob <bob@office.test>"), "{message}");
    assert!(
        message.contains("Subject: 2 messages are waiting for you in bureau"),
        "{message}"
    );
    assert!(message.contains("the release notes, please"), "{message}");
    assert!(message.contains("standup moved to 10:00"), "{message}");
    assert!(!message.contains("no mention here"), "{message}");
    assert!(
        message.contains(&format!("http://bureau.test/chat/{general}/")),
        "{message}"
    );

    // Nothing for Carol, and no second email for Bob about the same messages.
    let more = tokio::time::timeout(Duration::from_secs(2), sink.messages.recv()).await;
    assert!(more.is_err(), "unexpected email: {more:?}");
    office.stop().await;
}
