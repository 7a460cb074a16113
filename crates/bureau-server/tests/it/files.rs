//! Files: WebDAV checked by litmus and used by rclone, who reaches what,
//! quotas, share links, tus uploads, trash and versions.

use base64::Engine;
use bureau_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{error_code, offices, Api, Office, PASSWORD};

/// A WebDAV client with HTTP Basic credentials.
struct Dav {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

impl Dav {
    fn new(office: &Office, user: &str, password: &str) -> Dav {
        Dav {
            http: reqwest::Client::new(),
            base: office.base.clone(),
            user: user.into(),
            password: password.into(),
        }
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}/dav{path}", self.base),
            )
            .basic_auth(&self.user, Some(&self.password))
    }

    async fn put(&self, path: &str, body: impl Into<reqwest::Body>) -> StatusCode {
        self.request("PUT", path)
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn get(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let response = self.request("GET", path).send().await.unwrap();
        (response.status(), response.bytes().await.unwrap().to_vec())
    }

    async fn mkcol(&self, path: &str) -> StatusCode {
        self.request("MKCOL", path).send().await.unwrap().status()
    }

    async fn listing(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .request("PROPFIND", path)
            .header("depth", "1")
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn litmus_passes_every_suite_on_every_backend() {
    for office in offices("litmus").await {
        office.person("lit", Role::Member).await;
        // litmus writes its debug.log where it runs.
        let scratch = bureau_store::testing::temp_dir("litmus");
        let output = tokio::process::Command::new("litmus")
            .current_dir(&scratch)
            .arg("-k")
            .arg(format!("{}/dav/", office.base))
            .arg("lit")
            .arg(PASSWORD)
            .env("TESTS", "basic copymove props locks http")
            .output()
            .await
            .expect("litmus runs (Debian package `litmus`; cargo xtask test installs it)");
        let text = String::from_utf8_lossy(&output.stdout).replace('\r', "\n");
        for (suite, tests) in [
            ("basic", 16),
            ("copymove", 13),
            ("props", 30),
            ("locks", 41),
            ("http", 4),
        ] {
            let summary =
                format!("summary for `{suite}': of {tests} tests run: {tests} passed, 0 failed");
            assert!(
                text.contains(&summary),
                "litmus {suite} did not pass whole:\n{text}"
            );
        }
        assert!(office.assert_usage_counted().await > 0);
        office.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rclone_syncs_a_tree_up_and_back_unchanged() {
    let office = Office::start().await;
    office.person("ray", Role::Member).await;
    let root = bureau_store::testing::temp_dir("rclone");
    let up = root.join("up");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("notes.txt", b"meeting notes\nline 2\n".to_vec()),
        ("empty.bin", Vec::new()),
        ("Équipe/budget 2026 (v2).csv", b"a;b\n1;2\n".to_vec()),
        (
            "deep/er/still/random.bin",
            pseudo_random(3 * 1024 * 1024 + 17),
        ),
        ("deep/photo.jpg", pseudo_random(200_000)),
    ];
    for (path, bytes) in &files {
        let file = up.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    let obscured = std::process::Command::new("rclone")
        .args(["obscure", PASSWORD])
        .output()
        .expect("rclone runs (Debian package `rclone`; cargo xtask test installs it)");
    let obscured = String::from_utf8(obscured.stdout).unwrap();
    let remote = format!(
        ":webdav,url='{}/dav',vendor=other,user=ray,pass='{}':",
        office.base,
        obscured.trim()
    );
    let rclone = |args: &[&str]| {
        let output = std::process::Command::new("rclone")
            .args(args)
            .args(["--config", "/dev/null", "-q"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "rclone {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let down = root.join("down");
    tokio::task::spawn_blocking(move || {
        rclone(&["sync", up.to_str().unwrap(), &format!("{remote}backup")]);
        rclone(&["sync", &format!("{remote}backup"), down.to_str().unwrap()]);
    })
    .await
    .unwrap();
    for (path, bytes) in &files {
        let back = std::fs::read(root.join("down").join(path)).unwrap();
        assert!(back == *bytes, "{path} came back different");
    }
    office.stop().await;
}

fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_reaches_anothers_files() {
    for office in offices("files-isolation").await {
        office.person("alice", Role::Member).await;
        office.person("bob", Role::Member).await;
        let alice = Dav::new(&office, "alice", PASSWORD);
        let bob = Dav::new(&office, "bob", PASSWORD);
        assert_eq!(alice.mkcol("/private").await, StatusCode::CREATED);
        assert_eq!(
            alice.put("/private/salary.txt", "secret").await,
            StatusCode::CREATED
        );

        let (status, listing) = bob.listing("/").await;
        assert_eq!(status, StatusCode::MULTI_STATUS);
        assert!(!listing.contains("private"), "{listing}");
        assert_eq!(
            bob.get("/private/salary.txt").await.0,
            StatusCode::NOT_FOUND
        );
        for sneaky in [
            "/..%2fprivate/salary.txt",
            "/%2e%2e/private/salary.txt",
            "/x/..%2f..%2fprivate/salary.txt",
            "/a%5c..%5cprivate",
            "/private%00/salary.txt",
        ] {
            let (status, body) = bob.get(sneaky).await;
            assert!(
                status.is_client_error(),
                "{sneaky}: {status} {}",
                String::from_utf8_lossy(&body)
            );
            assert!(!String::from_utf8_lossy(&body).contains("secret"));
        }
        // The JSON API follows the same gate.
        let mut api = office.anonymous();
        api.login("bob", PASSWORD).await;
        let (status, body) = api
            .get("/api/v1/files/content?path=/private/salary.txt")
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = api.get("/api/v1/files/list?path=/../alice").await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);

        // Wrong or missing credentials are asked for again.
        let nobody = Dav::new(&office, "alice", "not her password");
        let response = nobody.request("PROPFIND", "/").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        let anonymous = reqwest::get(format!("{}/dav/", office.base)).await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

        // An API token works as the password, and as a Bearer token.
        let mut alice_api = office.anonymous();
        alice_api.login("alice", PASSWORD).await;
        let token = alice_api.token("webdav").await;
        let with_token = Dav::new(&office, "alice", &token);
        assert_eq!(with_token.get("/private/salary.txt").await.1, b"secret");
        let bearer = reqwest::Client::new()
            .get(format!("{}/dav/private/salary.txt", office.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(bearer.status(), StatusCode::OK);
        // Someone else's token is not alice's password.
        let mut bob_api = office.anonymous();
        bob_api.login("bob", PASSWORD).await;
        let bobs = bob_api.token("bob").await;
        let mixed = Dav::new(&office, "alice", &bobs);
        assert_eq!(
            mixed.get("/private/salary.txt").await.0,
            StatusCode::UNAUTHORIZED
        );
        office.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn team_folders_follow_their_grants() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let writer = office.person("wendy", Role::Member).await;
    let reader = office.person("rita", Role::Member).await;
    office.person("olga", Role::Member).await;
    let (status, team) = admin
        .post(
            "/api/v1/files/teams",
            json!({ "name": "Sales", "quota": null }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team_id = team["id"].as_i64().unwrap();
    let (status, group) = admin
        .post("/api/v1/groups", json!({ "name": "sellers" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let group_id = group["id"].as_i64().unwrap();
    let wendy_id = writer.my_id().await;
    let (status, body) = admin
        .put(
            &format!("/api/v1/groups/{group_id}/members/{wendy_id}"),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    for grant in [
        json!({ "group_id": group_id, "access": "write" }),
        json!({ "user_id": reader.my_id().await, "access": "read" }),
    ] {
        let (status, body) = admin
            .put(&format!("/api/v1/files/teams/{team_id}/access"), grant)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let wendy = Dav::new(&office, "wendy", PASSWORD);
    let rita = Dav::new(&office, "rita", PASSWORD);
    let olga = Dav::new(&office, "olga", PASSWORD);
    assert_eq!(
        wendy.put("/Sales/offer.txt", "10% off").await,
        StatusCode::CREATED
    );
    assert_eq!(rita.get("/Sales/offer.txt").await.1, b"10% off");
    assert_eq!(
        rita.put("/Sales/offer.txt", "100% off").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        rita.request("DELETE", "/Sales/offer.txt")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(olga.get("/Sales/offer.txt").await.0, StatusCode::NOT_FOUND);
    let (_, listing) = olga.listing("/").await;
    assert!(!listing.contains("Sales"), "{listing}");
    let (_, listing) = rita.listing("/").await;
    assert!(listing.contains("/dav/Sales/"), "{listing}");
    // A grant to nobody is a 404 and changes nothing.
    let (status, body) = admin
        .put(
            &format!("/api/v1/files/teams/{team_id}/access"),
            json!({ "group_id": 999_999, "access": "read" }),
        )
        .await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    // Non-admins manage no team folders.
    let (status, body) = writer.get("/api/v1/files/teams").await;
    error_code(status, &body, StatusCode::FORBIDDEN);
    // Access removed is access gone.
    let (status, _) = admin
        .put(
            &format!("/api/v1/files/teams/{team_id}/access"),
            json!({ "group_id": group_id, "access": "none" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(wendy.get("/Sales/offer.txt").await.0, StatusCode::NOT_FOUND);
    assert!(office.assert_usage_counted().await > 0);
    office.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_quota_answers_507_and_keeps_the_old_content() {
    for office in offices("files-quota").await {
        let admin = office.person("boss", Role::Admin).await;
        let quinn = office.person("quinn", Role::Member).await;
        let (status, body) = admin
            .put(
                &format!("/api/v1/files/people/{}/quota", quinn.my_id().await),
                json!({ "quota": 1000 }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let dav = Dav::new(&office, "quinn", PASSWORD);
        assert_eq!(
            dav.put("/a.txt", vec![b'a'; 600]).await,
            StatusCode::CREATED
        );
        assert_eq!(
            dav.put("/b.txt", vec![b'b'; 600]).await,
            StatusCode::INSUFFICIENT_STORAGE
        );
        assert_eq!(dav.get("/b.txt").await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            dav.put("/a.txt", vec![b'c'; 600]).await,
            StatusCode::INSUFFICIENT_STORAGE
        );
        assert_eq!(dav.get("/a.txt").await.1, vec![b'a'; 600]);
        // tus refuses an upload larger than the room left, up front.
        let response = tus_create(&quinn, "/", "big.bin", 5000).await;
        assert_eq!(response.status(), StatusCode::INSUFFICIENT_STORAGE);
        assert!(office.assert_usage_counted().await > 0);
        office.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn share_links_give_nothing_once_expired_revoked_or_without_the_password() {
    let office = Office::start().await;
    let sam = office.person("sam", Role::Member).await;
    let dav = Dav::new(&office, "sam", PASSWORD);
    assert_eq!(dav.mkcol("/out").await, StatusCode::CREATED);
    assert_eq!(
        dav.put("/out/brochure.txt", "hello client").await,
        StatusCode::CREATED
    );
    assert_eq!(dav.mkcol("/inbox").await, StatusCode::CREATED);
    assert_eq!(
        dav.put("/inbox/private.txt", "not for clients").await,
        StatusCode::CREATED
    );

    let share = |body: Value| {
        let sam = sam.clone();
        async move {
            let (status, share) = sam.post("/api/v1/files/shares", body).await;
            assert_eq!(status, StatusCode::CREATED, "{share}");
            let url = share["url"].as_str().unwrap().to_string();
            let secret = url.split_once('#').unwrap().1.to_string();
            (share["id"].as_i64().unwrap(), secret)
        }
    };
    let visitor = office.anonymous();
    let visit = |secret: &str, query: &str| {
        let visitor = visitor.clone();
        let path = format!("/api/v1/public/shares/{secret}{query}");
        async move { visitor.get(&path).await }
    };

    // A plain reading link shows the folder and its file.
    let (id, secret) = share(json!({ "path": "/out", "mode": "read" })).await;
    let (status, body) = visit(&secret, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entries"][0]["name"], "brochure.txt");
    let content = reqwest::get(format!(
        "{}/api/v1/public/shares/{secret}/content?path=/brochure.txt",
        office.base
    ))
    .await
    .unwrap();
    assert_eq!(content.text().await.unwrap(), "hello client");
    // It cannot climb out of the shared folder.
    let (status, _) = visit(&secret, "?path=/../inbox").await;
    assert!(status.is_client_error());
    // Revoked: nothing.
    let (status, _) = sam.delete(&format!("/api/v1/files/shares/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = visit(&secret, "").await;
    error_code(status, &body, StatusCode::NOT_FOUND);

    // Password: none or wrong gives nothing; the right one opens it.
    let (_, secret) =
        share(json!({ "path": "/out/brochure.txt", "mode": "read", "password": "s3 same été" }))
            .await;
    let (status, body) = visit(&secret, "").await;
    error_code(status, &body, StatusCode::UNAUTHORIZED);
    let with_password = |password: &str| {
        visitor
            .request(Method::GET, &format!("/api/v1/public/shares/{secret}"))
            .header("x-share-password", password)
            .send()
    };
    let wrong = with_password("wrong").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = with_password("s3%20same%20%C3%A9t%C3%A9").await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    let body: Value = right.json().await.unwrap();
    // Never in the address, which proxies and logs keep: a clear 400.
    let (status, refused) = visit(&secret, "?password=s3same").await;
    error_code(status, &refused, StatusCode::BAD_REQUEST);
    let pass = body["pass"].as_str().unwrap().to_string();
    let (status, _) = visit(&secret, &format!("?pass={pass}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = visit(&secret, "?pass=forged").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Expired: nothing (an expiry in the past is refused when made).
    let (status, body) = sam
        .post(
            "/api/v1/files/shares",
            json!({ "path": "/out", "mode": "read", "expires_at": "2001-01-01" }),
        )
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);

    // A download limit counts.
    let (_, secret) =
        share(json!({ "path": "/out/brochure.txt", "mode": "read", "max_downloads": 1 })).await;
    let url = format!("{}/api/v1/public/shares/{secret}/content", office.base);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // A drop box takes files and shows nothing, and never overwrites.
    let (_, secret) = share(json!({ "path": "/inbox", "mode": "drop" })).await;
    let (status, body) = visit(&secret, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["entries"], json!([]));
    let (status, _) = visit(&secret, "?path=/private.txt").await;
    assert_eq!(status, StatusCode::OK);
    let content = reqwest::get(format!(
        "{}/api/v1/public/shares/{secret}/content?path=/private.txt",
        office.base
    ))
    .await
    .unwrap();
    assert_eq!(content.status(), StatusCode::FORBIDDEN);
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/api/v1/uploads", office.base))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "9")
        .header(
            "upload-metadata",
            format!("filename {}", b64("private.txt")),
        )
        .header("x-share-token", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let patched = client
        .patch(format!("{}{location}", office.base))
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .header("x-share-token", &secret)
        .body("dropped!!")
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::NO_CONTENT);
    assert_eq!(dav.get("/inbox/private.txt").await.1, b"not for clients");
    assert_eq!(dav.get("/inbox/private (2).txt").await.1, b"dropped!!");
    office.stop().await;
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

async fn tus_create(api: &Api, folder: &str, name: &str, length: u64) -> reqwest::Response {
    api.request(Method::POST, "/api/v1/uploads")
        .header("tus-resumable", "1.0.0")
        .header("upload-length", length.to_string())
        .header(
            "upload-metadata",
            format!("filename {},folder {}", b64(name), b64(folder)),
        )
        .send()
        .await
        .unwrap()
}

async fn tus_patch(api: &Api, location: &str, offset: u64, bytes: Vec<u8>) -> reqwest::Response {
    api.request(Method::PATCH, location)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tus_uploads_resume_and_refuse_what_is_wrong() {
    for office in offices("files-tus").await {
        let tina = office.person("tina", Role::Member).await;
        let options = tina
            .request(Method::OPTIONS, "/api/v1/uploads")
            .send()
            .await
            .unwrap();
        assert_eq!(options.headers()["tus-version"], "1.0.0");
        assert!(options.headers()["tus-extension"]
            .to_str()
            .unwrap()
            .contains("checksum"));

        let data = pseudo_random(300_000);
        let created = tus_create(&tina, "/", "report.pdf", data.len() as u64).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let location = created.headers()["location"].to_str().unwrap().to_string();

        // The first part arrives; a resend from the wrong offset is a 409.
        let first = tus_patch(&tina, &location, 0, data[..100_000].to_vec()).await;
        assert_eq!(first.status(), StatusCode::NO_CONTENT);
        assert_eq!(first.headers()["upload-offset"], "100000");
        let wrong = tus_patch(&tina, &location, 0, data[..10].to_vec()).await;
        let status = wrong.status();
        let body: Value = wrong.json().await.unwrap();
        assert_eq!(
            error_code(status, &body, StatusCode::CONFLICT),
            "offset_mismatch"
        );
        // Not visible until complete.
        let (status, _) = tina.get("/api/v1/files/content?path=/report.pdf").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // HEAD tells where to resume.
        let head = tina
            .request(Method::HEAD, &location)
            .header("tus-resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        assert_eq!(head.headers()["upload-offset"], "100000");
        // A chunk with a wrong checksum is refused and not kept.
        let bad_sum = tina
            .request(Method::PATCH, &location)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", "100000")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-checksum", format!("sha1 {}", b64("not the sum")))
            .body(data[100_000..200_000].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(bad_sum.status().as_u16(), 460);
        // The right checksum is accepted.
        use sha1::Digest;
        let sum = sha1::Sha1::digest(&data[100_000..]);
        let good = tina
            .request(Method::PATCH, &location)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", "100000")
            .header("content-type", "application/offset+octet-stream")
            .header(
                "upload-checksum",
                format!(
                    "sha1 {}",
                    base64::engine::general_purpose::STANDARD.encode(sum)
                ),
            )
            .body(data[100_000..].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            good.status(),
            StatusCode::NO_CONTENT,
            "{:?}",
            good.text().await
        );
        let content = tina
            .request(Method::GET, "/api/v1/files/content?path=/report.pdf")
            .send()
            .await
            .unwrap();
        assert_eq!(content.bytes().await.unwrap().to_vec(), data);

        // Bad requests, each a clear 4xx.
        let no_version = tina
            .request(Method::POST, "/api/v1/uploads")
            .header("upload-length", "3")
            .send()
            .await
            .unwrap();
        assert_eq!(no_version.status(), StatusCode::PRECONDITION_FAILED);
        let no_length = tina
            .request(Method::POST, "/api/v1/uploads")
            .header("tus-resumable", "1.0.0")
            .header("upload-metadata", format!("filename {}", b64("x")))
            .send()
            .await
            .unwrap();
        assert_eq!(no_length.status(), StatusCode::BAD_REQUEST);
        let bad_name = tus_create(&tina, "/", "../escape", 3).await;
        assert_eq!(bad_name.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let no_folder = tus_create(&tina, "/nowhere", "a.txt", 3).await;
        assert_eq!(no_folder.status(), StatusCode::CONFLICT);
        let created = tus_create(&tina, "/", "a.txt", 3).await;
        let location = created.headers()["location"].to_str().unwrap().to_string();
        let wrong_type = tina
            .request(Method::PATCH, &location)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", "0")
            .body("abc")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let too_long = tus_patch(&tina, &location, 0, b"abcdef".to_vec()).await;
        assert!(too_long.status().is_client_error());
        // Someone else's upload does not exist for them.
        let other = office.person("otto", Role::Member).await;
        let theirs = tus_patch(&other, &location, 0, b"abc".to_vec()).await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
        // Termination.
        let gone = tina
            .request(Method::DELETE, &location)
            .header("tus-resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        let after = tus_patch(&tina, &location, 0, b"abc".to_vec()).await;
        assert_eq!(after.status(), StatusCode::NOT_FOUND);
        assert!(office.assert_usage_counted().await > 0);
        office.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trash_and_versions_bring_things_back() {
    for office in offices("files-trash").await {
        let vic = office.person("vic", Role::Member).await;
        let dav = Dav::new(&office, "vic", PASSWORD);
        assert_eq!(dav.mkcol("/plans").await, StatusCode::CREATED);
        assert_eq!(dav.put("/plans/v.txt", "first").await, StatusCode::CREATED);
        assert_eq!(
            dav.put("/plans/v.txt", "second").await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            dav.put("/plans/v.txt", "third").await,
            StatusCode::NO_CONTENT
        );

        let (status, body) = vic.get("/api/v1/files/versions?path=/plans/v.txt").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let versions = body["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2);
        let first = versions[1]["id"].as_i64().unwrap();
        let (status, body) = vic
            .post(
                &format!("/api/v1/files/versions/{first}/restore?path=/plans/v.txt"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(dav.get("/plans/v.txt").await.1, b"first");
        let (_, body) = vic.get("/api/v1/files/versions?path=/plans/v.txt").await;
        assert_eq!(body["versions"].as_array().unwrap().len(), 2, "{body}");

        // A deleted folder goes to the trash as one item, whole.
        let deleted = dav.request("DELETE", "/plans").send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert_eq!(dav.get("/plans/v.txt").await.0, StatusCode::NOT_FOUND);
        let (status, trash) = vic.get("/api/v1/files/trash").await;
        assert_eq!(status, StatusCode::OK);
        let trash = trash.as_array().unwrap();
        assert_eq!(trash.len(), 1, "{trash:?}");
        assert_eq!(trash[0]["path"], "/plans");
        // Something new took the name meanwhile: the restore gets another.
        assert_eq!(dav.mkcol("/plans").await, StatusCode::CREATED);
        let (status, body) = vic
            .post(
                &format!("/api/v1/files/trash/{}/restore", trash[0]["id"]),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["path"], "/plans (2)");
        assert_eq!(dav.get("/plans%20(2)/v.txt").await.1, b"first");
        // Another person cannot restore or purge it.
        let other = office.person("wes", Role::Member).await;
        let (status, body) = other
            .post(
                &format!("/api/v1/files/trash/{}/restore", trash[0]["id"]),
                json!({}),
            )
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        // Purged with its versions, the file no longer counts against the
        // quota: only the empty folders are left.
        assert!(office.assert_usage_counted().await > 0);
        let deleted = dav.request("DELETE", "/plans%20(2)").send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        let (_, trash) = vic.get("/api/v1/files/trash").await;
        let (status, body) = vic
            .delete(&format!("/api/v1/files/trash/{}", trash[0]["id"]))
            .await;
        assert!(status.is_success(), "{status} {body}");
        let space = office
            .store
            .person_space(bureau_core::UserId(vic.my_id().await))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(space.used_bytes, 0);
        assert!(office.assert_usage_counted().await > 0);
        office.stop().await;
    }
}

/// Writes that finish together are recorded in one transaction (the group
/// commit): each still gets its own answer, new names and replacements
/// mixed, races on one name resolved as they are alone: every write lands,
/// the last is the content and each earlier one is a version.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writes_each_land_whole() {
    for office in offices("files-concurrent").await {
        let uma = office.person("uma", Role::Member).await;
        let dav = std::sync::Arc::new(Dav::new(&office, "uma", PASSWORD));
        assert_eq!(dav.mkcol("/many").await, StatusCode::CREATED);
        assert_eq!(dav.put("/many/shared.txt", "v0").await, StatusCode::CREATED);
        let mut writes = Vec::new();
        for n in 0..60usize {
            let dav = dav.clone();
            writes.push(tokio::spawn(async move {
                // A third of the writes race on one name; the others make
                // files of their own, small and (every tenth) large.
                let (path, body) = if n % 3 == 0 {
                    (
                        "/many/shared.txt".to_string(),
                        format!("v{}", n + 1).into_bytes(),
                    )
                } else if n % 10 == 1 {
                    (format!("/many/big-{n}.bin"), pseudo_random(40_000 + n))
                } else {
                    (
                        format!("/many/f-{n}.txt"),
                        format!("file {n}").repeat(n + 1).into_bytes(),
                    )
                };
                let status = dav.put(&path, body.clone()).await;
                (path, body, status)
            }));
        }
        let mut shared_writes = 1;
        for write in writes {
            let (path, body, status) = write.await.unwrap();
            assert!(status.is_success(), "{path}: {status}");
            if path == "/many/shared.txt" {
                shared_writes += 1;
            } else {
                assert_eq!(dav.get(&path).await, (StatusCode::OK, body), "{path}");
            }
        }
        let (status, listing) = dav.listing("/many/").await;
        assert_eq!(status.as_u16(), 207);
        assert_eq!(
            listing.matches("<D:response>").count(),
            1 + 40 + 1,
            "{listing}"
        );
        // Nothing was lost on the raced name: its content is one of the
        // writes and the others are its versions (up to the 20 kept).
        let (_, content) = dav.get("/many/shared.txt").await;
        let content = String::from_utf8(content).unwrap();
        assert!(content.starts_with('v'), "{content}");
        let (status, body) = uma
            .get("/api/v1/files/versions?path=/many/shared.txt")
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let versions = body["versions"].as_array().unwrap().len();
        assert_eq!(versions, (shared_writes - 1).min(20), "{body}");
        assert!(office.assert_usage_counted().await > 0);
        office.stop().await;
    }
}

/// Restores of versions race writes of the same files (a person restoring
/// in the browser while their sync client writes): every write lands, and
/// each restore either lands or says the version is gone, never a 500. On
/// PostgreSQL the two took their space's row and the file's row in
/// opposite orders and could deadlock.
#[tokio::test(flavor = "multi_thread")]
async fn restores_racing_writes_each_land_or_say_why() {
    for office in offices("files-restore-race").await {
        let rae = office.person("rae", Role::Member).await;
        let dav = std::sync::Arc::new(Dav::new(&office, "rae", PASSWORD));
        let names = ["/a.txt", "/b.txt"];
        let mut versions = Vec::new();
        for name in names {
            for n in 0..8 {
                assert!(dav.put(name, format!("{name} {n}")).await.is_success());
            }
            let (status, body) = rae
                .get(&format!("/api/v1/files/versions?path={name}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            for version in body["versions"].as_array().unwrap() {
                versions.push((name, version["id"].as_i64().unwrap()));
            }
        }
        assert_eq!(versions.len(), 14);
        let mut racers = Vec::new();
        for n in 0..40usize {
            let dav = dav.clone();
            racers.push(tokio::spawn(async move {
                let name = names[n % 2];
                let status = dav.put(name, format!("{name} racing {n}")).await;
                (format!("PUT {name}"), status, String::new())
            }));
            if n % 3 == 0 {
                let rae = rae.clone();
                let (name, id) = versions[n / 3];
                racers.push(tokio::spawn(async move {
                    let (status, body) = rae
                        .post(
                            &format!("/api/v1/files/versions/{id}/restore?path={name}"),
                            json!({}),
                        )
                        .await;
                    (format!("restore {id} of {name}"), status, body.to_string())
                }));
            }
        }
        let mut restored = 0;
        for racer in racers {
            let (what, status, body) = racer.await.unwrap();
            match status {
                StatusCode::OK => restored += 1,
                // Pushed out by the writes (20 versions are kept), or
                // restored by an earlier racer: gone, said in words.
                StatusCode::NOT_FOUND if what.starts_with("restore") => {
                    assert!(body.contains("version"), "{what}: {body}")
                }
                status => assert!(status.is_success(), "{what}: {status} {body}"),
            }
        }
        assert!(restored > 0, "no restore landed");
        assert!(office.assert_usage_counted().await > 0);
        office.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_file_requests_get_clear_errors_and_change_nothing() {
    let office = Office::start().await;
    let ann = office.person("ann", Role::Member).await;
    let dav = Dav::new(&office, "ann", PASSWORD);
    assert_eq!(dav.put("/keep.txt", "kept").await, StatusCode::CREATED);
    // Missing parent.
    assert_eq!(dav.put("/no/such/dir.txt", "x").await, StatusCode::CONFLICT);
    assert_eq!(dav.mkcol("/no/such").await, StatusCode::CONFLICT);
    // Malformed XML.
    let response = dav
        .request("PROPFIND", "/")
        .body("<propfind xmlns='DAV:'><prop>")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = dav
        .request("PROPPATCH", "/keep.txt")
        .body("not xml at all")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Overwrite: F refuses to replace another file (a copy onto itself
    // would be refused whatever the header said).
    assert_eq!(dav.put("/other.txt", "other").await, StatusCode::CREATED);
    let response = dav
        .request("COPY", "/keep.txt")
        .header("destination", format!("{}/dav/other.txt", office.base))
        .header("overwrite", "F")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(dav.get("/other.txt").await.1, b"other");
    // A wrong If header.
    let response = dav
        .request("PUT", "/keep.txt")
        .header("if", "(<urn:uuid:00000000-0000-0000-0000-000000000000>)")
        .body("changed")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    // If-Match on a stale ETag.
    let response = dav
        .request("PUT", "/keep.txt")
        .header("if-match", "\"f0-0\"")
        .body("changed")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    // Illegal names.
    assert!(dav.put("/trailing%20", "x").await.is_client_error());
    assert!(dav.put("/tab%09name", "x").await.is_client_error());
    // The JSON API names what is wrong.
    let (status, body) = ann
        .post("/api/v1/files/folders", json!({ "path": "/a/../b" }))
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = ann
        .post(
            "/api/v1/files/move",
            json!({ "from": "/keep.txt", "to": "/nowhere/keep.txt" }),
        )
        .await;
    assert_eq!(error_code(status, &body, StatusCode::CONFLICT), "no_parent");
    let (status, body) = ann
        .post(
            "/api/v1/files/shares",
            json!({ "path": "/keep.txt", "mode": "everything" }),
        )
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing changed.
    assert_eq!(dav.get("/keep.txt").await.1, b"kept");
    let (_, listing) = dav.listing("/").await;
    assert!(
        !listing.contains("trailing") && !listing.contains("no/"),
        "{listing}"
    );
    office.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sharing_inside_the_company_shows_at_the_top_and_nowhere_else() {
    for office in offices("files-grants").await {
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        office.person("carol", Role::Member).await;
        let guest = office.person("gus", Role::Guest).await;
        let dav_alice = Dav::new(&office, "alice", PASSWORD);
        let dav_bob = Dav::new(&office, "bob", PASSWORD);
        let dav_carol = Dav::new(&office, "carol", PASSWORD);
        let dav_gus = Dav::new(&office, "gus", PASSWORD);
        for folder in ["/projects", "/projects/apollo"] {
            assert_eq!(dav_alice.mkcol(folder).await, StatusCode::CREATED);
        }
        for (path, text) in [
            ("/projects/apollo/plan.txt", "v1"),
            ("/projects/secret.txt", "no"),
            ("/memo.txt", "read me"),
        ] {
            assert_eq!(dav_alice.put(path, text).await, StatusCode::CREATED);
        }
        // Bob has an `apollo` of his own: it must stay in sight.
        assert_eq!(dav_bob.mkcol("/apollo").await, StatusCode::CREATED);

        let grant = |who: &Api, body: Value| {
            let who = who.clone();
            async move { who.put("/api/v1/files/grants", body).await }
        };
        let bob_id = bob.my_id().await;
        let to_bob = json!({ "path": "/projects/apollo", "user_id": bob_id, "access": "write" });
        let (status, body) = grant(&alice, to_bob).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["access"], "write");
        let to_gus =
            json!({ "path": "/memo.txt", "user_id": guest.my_id().await, "access": "read" });
        let (status, body) = grant(&alice, to_gus).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Bob finds it at his top beside his own, works inside, and
        // reaches nothing beside it.
        let (status, listing) = bob.get("/api/v1/files/list?path=/").await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        let named = |name: &str| {
            listing["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == name)
                .unwrap_or_else(|| panic!("no {name} in {listing}"))
                .clone()
        };
        assert_eq!(named("apollo (2)")["shared_with_me"], true);
        assert_eq!(named("apollo")["shared_with_me"], false);
        let shared = "/apollo%20(2)";
        assert_eq!(dav_bob.get(&format!("{shared}/plan.txt")).await.1, b"v1");
        let put = dav_bob
            .put(&format!("{shared}/plan.txt"), "v2 by bob")
            .await;
        assert_eq!(put, StatusCode::NO_CONTENT);
        let (_, text) = dav_alice.get("/projects/apollo/plan.txt").await;
        assert_eq!(text, b"v2 by bob");
        let (status, _) = dav_bob.get(&format!("{shared}/../secret.txt")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = dav_bob.get(&format!("{shared}/..%2fsecret.txt")).await;
        assert!(status.is_client_error());
        // The shared folder itself is not his to delete.
        let deleted = dav_bob.request("DELETE", shared).send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::FORBIDDEN);
        let (status, _) = dav_alice.get("/projects/apollo/plan.txt").await;
        assert_eq!(status, StatusCode::OK);
        // Carol, not granted, reaches nothing.
        let (status, _) = dav_carol.get("/apollo/plan.txt").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, listing) = dav_carol.listing("/").await;
        assert!(
            !listing.contains("apollo") && !listing.contains("memo"),
            "{listing}"
        );
        // The guest reads the memo and cannot change it, nor share it.
        assert_eq!(dav_gus.get("/memo.txt").await.1, b"read me");
        assert_eq!(
            dav_gus.put("/memo.txt", "changed").await,
            StatusCode::FORBIDDEN
        );
        let reshare = json!({ "path": "/memo.txt", "user_id": bob_id, "access": "read" });
        let (status, body) = grant(&guest, reshare).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        // Bob's search reaches the shared folder, not what is around it.
        let (_, found) = bob.get("/api/v1/files/search?q=secret").await;
        assert_eq!(found, json!([]), "{found}");
        let (_, found) = bob.get("/api/v1/files/search?q=plan").await;
        assert_eq!(found[0]["path"], "/apollo (2)/plan.txt", "{found}");
        // Stopped sharing is gone at once.
        let stop = json!({ "path": "/projects/apollo", "user_id": bob_id, "access": "none" });
        let (status, _) = grant(&alice, stop).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = dav_bob.get(&format!("{shared}/plan.txt")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(dav_bob.listing("/apollo").await.0, StatusCode::MULTI_STATUS);
        office.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_downloads_as_a_zip_that_unzip_accepts() {
    let office = Office::start().await;
    let zoe = office.person("zoe", Role::Member).await;
    let dav = Dav::new(&office, "zoe", PASSWORD);
    let big = pseudo_random(700_000);
    assert_eq!(dav.mkcol("/Rapports").await, StatusCode::CREATED);
    assert_eq!(dav.mkcol("/Rapports/2026").await, StatusCode::CREATED);
    assert_eq!(dav.mkcol("/Rapports/vide").await, StatusCode::CREATED);
    assert_eq!(
        dav.put("/Rapports/été.txt", "soleil").await,
        StatusCode::CREATED
    );
    assert_eq!(
        dav.put("/Rapports/2026/data.bin", big.clone()).await,
        StatusCode::CREATED
    );
    let response = zoe
        .request(Method::GET, "/api/v1/files/zip?path=/Rapports")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(response.headers().get("content-encoding").is_none());
    let archive = response.bytes().await.unwrap();
    let dir = bureau_store::testing::temp_dir("zip");
    let file = dir.join("Rapports.zip");
    std::fs::write(&file, &archive).unwrap();
    let tested = std::process::Command::new("unzip")
        .arg("-t")
        .arg(&file)
        .output()
        .expect("unzip runs");
    assert!(
        tested.status.success(),
        "{}",
        String::from_utf8_lossy(&tested.stdout)
    );
    let out = dir.join("out");
    let extracted = std::process::Command::new("unzip")
        .arg("-q")
        .arg(&file)
        .arg("-d")
        .arg(&out)
        .status()
        .unwrap();
    assert!(extracted.success());
    assert_eq!(
        std::fs::read(out.join("Rapports/été.txt")).unwrap(),
        b"soleil"
    );
    assert_eq!(
        std::fs::read(out.join("Rapports/2026/data.bin")).unwrap(),
        big
    );
    assert!(out.join("Rapports/vide").is_dir());
    // Someone else gets nothing.
    let other = office.person("yan", Role::Member).await;
    let (status, body) = other.get("/api/v1/files/zip?path=/Rapports").await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    office.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn images_get_small_thumbnails() {
    let office = Office::start().await;
    let pia = office.person("pia", Role::Member).await;
    let dav = Dav::new(&office, "pia", PASSWORD);
    let photo = image::RgbImage::from_fn(1600, 1200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    photo.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    assert_eq!(
        dav.put("/photo.png", png.clone()).await,
        StatusCode::CREATED
    );
    let response = pia
        .request(
            Method::GET,
            "/api/v1/files/thumbnail?path=/photo.png&size=256",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let thumbnail = response.bytes().await.unwrap();
    assert!(
        thumbnail.len() < png.len() / 20,
        "{} bytes",
        thumbnail.len()
    );
    let decoded = image::load_from_memory(&thumbnail).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (256, 192));
    let again = pia
        .request(
            Method::GET,
            "/api/v1/files/thumbnail?path=/photo.png&size=256",
        )
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(dav.put("/notes.txt", "text").await, StatusCode::CREATED);
    let (status, body) = pia.get("/api/v1/files/thumbnail?path=/notes.txt").await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = pia
        .get("/api/v1/files/thumbnail?path=/photo.png&size=9999")
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let other = office.person("quentin", Role::Member).await;
    let (status, body) = other.get("/api/v1/files/thumbnail?path=/photo.png").await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    office.stop().await;
}

/// What a quota counts follows files and their versions from one space to
/// another: a move takes the bytes along, a copy counts them twice, a
/// purge frees them; on both backends.
#[tokio::test(flavor = "multi_thread")]
async fn usage_follows_files_across_spaces() {
    for office in offices("files-usage").await {
        let admin = office.person("boss", Role::Admin).await;
        let uma = office.person("uma", Role::Member).await;
        let (status, team) = admin
            .post(
                "/api/v1/files/teams",
                json!({ "name": "Legal", "quota": null }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{team}");
        let team_id = team["id"].as_i64().unwrap();
        let (status, body) = admin
            .put(
                &format!("/api/v1/files/teams/{team_id}/access"),
                json!({ "user_id": uma.my_id().await, "access": "write" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let used = |space: i64| {
            let store = office.store.clone();
            async move { store.space(space).await.unwrap().unwrap().used_bytes }
        };

        let dav = Dav::new(&office, "uma", PASSWORD);
        assert_eq!(dav.mkcol("/drafts").await, StatusCode::CREATED);
        // The person's own space exists from their first request.
        let home = office
            .store
            .person_space(bureau_core::UserId(uma.my_id().await))
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(
            dav.put("/drafts/deal.txt", "12345").await,
            StatusCode::CREATED
        );
        assert_eq!(
            dav.put("/drafts/deal.txt", "1234567890").await,
            StatusCode::NO_CONTENT
        );
        assert_eq!((used(home).await, used(team_id).await), (15, 0));

        // A folder moved into the team folder takes its file and version.
        let moved = dav
            .request("MOVE", "/drafts")
            .header("destination", format!("{}/dav/Legal/drafts", office.base))
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), StatusCode::CREATED);
        assert_eq!((used(home).await, used(team_id).await), (0, 15));
        // A copy back counts the current content (versions stay behind).
        let copied = dav
            .request("COPY", "/Legal/drafts/deal.txt")
            .header("destination", format!("{}/dav/deal.txt", office.base))
            .send()
            .await
            .unwrap();
        assert_eq!(copied.status(), StatusCode::CREATED);
        assert_eq!((used(home).await, used(team_id).await), (10, 15));
        assert!(office.assert_usage_counted().await >= 2);
        office.stop().await;
    }
}
