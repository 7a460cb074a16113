use bureau_core::{Locale, Role, UserId};
use bureau_store::{DbColumnChange, NewPage, NewUser, PageChange, Store, Tx};

use crate::each_backend;

/// Wendy, a member, and a team space of hers.
async fn writer_and_space(tx: &mut Tx) -> (UserId, i64) {
    let who = tx
        .insert_user(NewUser {
            name: "wendy",
            display_name: "Wendy",
            email: None,
            locale: Locale::En,
            role: Role::Member,
            password_hash: None,
        })
        .await
        .unwrap()
        .id;
    let space = tx.insert_doc_space("Team", "", who).await.unwrap();
    (who, space)
}

/// A page's or a column's position, left alone then set, again and again:
/// every statement is cached per connection, so a NULL bound with the
/// wrong type the first time would refuse a real position later.
#[tokio::test]
async fn positions_change_after_updates_that_leave_them() {
    each_backend("doc_positions", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let (who, space) = writer_and_space(&mut tx).await;
        let page = tx
            .insert_page(NewPage {
                space_id: space,
                parent_id: None,
                title: "Suppliers",
                icon: "",
                by: who,
            })
            .await
            .unwrap();
        tx.make_database(page.id).await.unwrap();
        let column = tx
            .insert_db_column(page.id, "Amount", "number", "[]", 1.0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for n in 0..20 {
            let mut tx = store.begin().await.unwrap();
            let title = format!("Suppliers {n}");
            let rename = PageChange {
                title: Some(&title),
                ..PageChange::default()
            };
            tx.update_page(page.id, &rename, who).await.unwrap();
            let moved = PageChange {
                position: Some(n as f64 + 0.5),
                ..PageChange::default()
            };
            tx.update_page(page.id, &moved, who).await.unwrap();
            let name = format!("Amount {n}");
            let renamed = DbColumnChange {
                name: Some(&name),
                ..DbColumnChange::default()
            };
            tx.update_db_column(column, &renamed).await.unwrap();
            let moved = DbColumnChange {
                position: Some(n as f64 + 0.25),
                ..DbColumnChange::default()
            };
            tx.update_db_column(column, &moved).await.unwrap();
            tx.commit().await.unwrap();
        }
        let page = store.page(page.id).await.unwrap().unwrap();
        assert_eq!((page.title.as_str(), page.position), ("Suppliers 19", 19.5));
        let columns = store.db_columns(page.id).await.unwrap();
        assert_eq!(
            (columns[0].name.as_str(), columns[0].position),
            ("Amount 19", 19.25)
        );
    })
    .await;
}

/// One statement appends to several pages' logs: each page's log gets its
/// own row, in order, and each is told the id of its row.
#[tokio::test]
async fn one_statement_appends_to_many_logs() {
    each_backend("doc_append", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let (who, space) = writer_and_space(&mut tx).await;
        let mut pages = Vec::new();
        for title in ["One", "Two", "Three"] {
            let page = tx
                .insert_page(NewPage {
                    space_id: space,
                    parent_id: None,
                    title,
                    icon: "",
                    by: who,
                })
                .await
                .unwrap();
            pages.push(page.id);
        }
        tx.commit().await.unwrap();

        assert!(store.append_doc_updates(&[]).await.unwrap().is_empty());
        let first = store
            .append_doc_updates(&[(pages[0], b"a1".as_slice()), (pages[1], b"b1".as_slice())])
            .await
            .unwrap();
        let second = store
            .append_doc_updates(&[
                (pages[2], b"c1".as_slice()),
                (pages[0], b"a2".as_slice()),
                (pages[1], b"b2".as_slice()),
            ])
            .await
            .unwrap();
        let log = |page| {
            let store = store.clone();
            async move { store.doc_updates(page).await.unwrap() }
        };
        let a = log(pages[0]).await;
        assert_eq!(
            a.iter().map(|(_, d)| d.as_slice()).collect::<Vec<_>>(),
            [b"a1", b"a2"]
        );
        assert_eq!((a[0].0, a[1].0), (first[0], second[1]));
        let b = log(pages[1]).await;
        assert_eq!((b[0].0, b[1].0), (first[1], second[2]));
        assert_eq!(b[1].1, b"b2");
        let c = log(pages[2]).await;
        assert_eq!(c, vec![(second[0], b"c1".to_vec())]);

        // A page that does not exist fails the whole statement: no row of
        // the others is written either.
        let refused = store
            .append_doc_updates(&[(pages[0], b"a3".as_slice()), (i64::MAX, b"x".as_slice())])
            .await;
        assert!(refused.is_err());
        assert_eq!(log(pages[0]).await.len(), 2);
    })
    .await;
}
