//! Bus conformance: every test runs on the in-process bus and, when
//! `BUREAU_TEST_NATS` names a server, on NATS.

use std::time::Duration;

use bureau_bus::{Bus, Delivery};
use bytes::Bytes;

/// One bus per backend, each in a namespace of its own.
async fn buses(label: &str) -> Vec<(Bus, Bus)> {
    let namespace = format!("test-{label}-{}-{}", std::process::id(), nanos());
    let mut buses = vec![{
        let bus = Bus::local(&namespace);
        (bus.clone(), bus)
    }];
    match std::env::var("BUREAU_TEST_NATS") {
        Ok(url) => {
            // Two clients, as two bureau processes would have.
            let a = Bus::connect(&url, &namespace)
                .await
                .expect("NATS accepts connections");
            let b = Bus::connect(&url, &namespace)
                .await
                .expect("NATS accepts connections");
            buses.push((a, b));
        }
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must test NATS: set BUREAU_TEST_NATS"
            );
            eprintln!("BUREAU_TEST_NATS is unset: testing the in-process bus only");
        }
    }
    buses
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

async fn next(subscription: &mut bureau_bus::Subscription) -> Delivery {
    tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .expect("a delivery within 5 s")
        .expect("the bus is open")
}

#[tokio::test]
async fn every_subscriber_receives_in_publish_order() {
    for (publisher, receiver) in buses("order").await {
        let mut first = receiver.subscribe("events").await.unwrap();
        let mut second = receiver.subscribe("events").await.unwrap();
        for i in 0..100u32 {
            publisher
                .publish("events", Bytes::from(i.to_string()))
                .await
                .unwrap();
        }
        publisher.flush().await.unwrap();
        for subscription in [&mut first, &mut second] {
            for i in 0..100u32 {
                assert_eq!(
                    next(subscription).await,
                    Delivery::Message(Bytes::from(i.to_string()))
                );
            }
        }
    }
}

#[tokio::test]
async fn subjects_and_namespaces_are_apart() {
    for (publisher, receiver) in buses("apart").await {
        let mut events = receiver.subscribe("events").await.unwrap();
        publisher.publish("other", Bytes::from("no")).await.unwrap();
        publisher
            .publish("events", Bytes::from("yes"))
            .await
            .unwrap();
        publisher.flush().await.unwrap();
        assert_eq!(
            next(&mut events).await,
            Delivery::Message(Bytes::from("yes"))
        );
    }
    // The same subject in another namespace is another subject.
    if let Ok(url) = std::env::var("BUREAU_TEST_NATS") {
        let a = Bus::connect(&url, &format!("ns-a-{}", nanos()))
            .await
            .unwrap();
        let b = Bus::connect(&url, &format!("ns-b-{}", nanos()))
            .await
            .unwrap();
        let mut on_b = b.subscribe("events").await.unwrap();
        a.publish("events", Bytes::from("for a")).await.unwrap();
        b.publish("events", Bytes::from("for b")).await.unwrap();
        b.flush().await.unwrap();
        a.flush().await.unwrap();
        assert_eq!(
            next(&mut on_b).await,
            Delivery::Message(Bytes::from("for b"))
        );
    }
}

/// A subscriber that does not keep up is told so, never silently skipped.
#[tokio::test]
async fn a_subscriber_that_falls_behind_notices() {
    for (publisher, receiver) in buses("lag").await {
        let mut slow = receiver.subscribe("events").await.unwrap();
        let payload = Bytes::from(vec![b'x'; 64]);
        for _ in 0..20_000 {
            publisher.publish("events", payload.clone()).await.unwrap();
        }
        publisher.flush().await.unwrap();
        // Give the NATS client time to deliver into the full buffer.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut received = 0;
        let mut lagged = false;
        while received < 20_000 {
            match tokio::time::timeout(Duration::from_secs(2), slow.next()).await {
                Ok(Some(Delivery::Lagged)) => {
                    lagged = true;
                    break;
                }
                Ok(Some(Delivery::Message(_))) => received += 1,
                Ok(None) | Err(_) => break,
            }
        }
        assert!(lagged, "received {received} of 20000 without a lag notice");
    }
}
