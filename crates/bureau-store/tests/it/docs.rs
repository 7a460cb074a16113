use bureau_core::{Locale, Role};
use bureau_store::{DbColumnChange, NewPage, NewUser, PageChange, Store};

use crate::each_backend;

/// A page's or a column's position, left alone then set, again and again:
/// every statement is cached per connection, so a NULL bound with the
/// wrong type the first time would refuse a real position later.
#[tokio::test]
async fn positions_change_after_updates_that_leave_them() {
    each_backend("doc_positions", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
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
