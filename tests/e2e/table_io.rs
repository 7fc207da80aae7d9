//! Backups off AWS: every item of the table exported as JSON lines, the
//! table wiped, the file imported, and the table is identical item by item.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{TestStack, callback_update, text_update};
use importer::table_io;
use shared::adapters::store::Store;
use shared::base::types::TelegramId;

async fn export(store: &Store) -> String {
    let mut out = Vec::new();
    table_io::export(store.client(), store.table(), &mut out)
        .await
        .expect("export");
    String::from_utf8(out).expect("utf-8")
}

async fn wipe(store: &Store, dump: &str) {
    for line in dump.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("line");
        store
            .client()
            .delete_item()
            .table_name(store.table())
            .key(
                "PK",
                AttributeValue::S(v["PK"]["S"].as_str().expect("PK").into()),
            )
            .key(
                "SK",
                AttributeValue::S(v["SK"]["S"].as_str().expect("SK").into()),
            )
            .send()
            .await
            .expect("delete");
    }
}

fn sorted(dump: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = dump.lines().collect();
    lines.sort_unstable();
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_wipe_import_leaves_the_table_identical() {
    let t = TestStack::start(&[]).await;
    let store = t.stack.app.store.clone();
    // Items of many shapes: users (strings, numbers, booleans, Unicode, the
    // update envelope's number sets), stats counters, ledger and order
    // items with string sets, an attribute of every other DynamoDB type.
    for (i, id) in (7_100_001..7_100_041).enumerate() {
        let name = if i % 2 == 0 {
            "Ёжик 🦔"
        } else {
            "Zoë \"q\" <b>"
        };
        assert_eq!(
            t.update(&text_update(i as i64 + 1, id, name, "ru", "/start"))
                .await,
            200
        );
    }
    assert_eq!(
        t.update(&callback_update(100, 7_100_001, "profile", 500))
            .await,
        200
    );
    store
        .add_balance(TelegramId(7_100_002), 12_345)
        .await
        .expect("balance");
    t.set_user_attr(
        7_100_003,
        "fx",
        AttributeValue::Ss(vec!["log".into(), "sync".into()]),
    )
    .await;
    t.set_user_attr(
        7_100_004,
        "blob",
        AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![0u8, 1, 255])),
    )
    .await;
    t.set_user_attr(
        7_100_005,
        "nested",
        AttributeValue::M(
            [(
                "l".to_owned(),
                AttributeValue::L(vec![
                    AttributeValue::Null(true),
                    AttributeValue::Ns(vec!["1.5".into()]),
                ]),
            )]
            .into(),
        ),
    )
    .await;

    let dump = export(&store).await;
    let items = dump.lines().count();
    assert!(items > 50, "{items} items");

    wipe(&store, &dump).await;
    assert_eq!(export(&store).await, "", "the table is empty");

    let n = table_io::import(store.client(), store.table(), dump.as_bytes())
        .await
        .expect("import");
    assert_eq!(n as usize, items);
    let back = export(&store).await;
    assert_eq!(sorted(&back), sorted(&dump), "identical item by item");

    // Importing the same file again changes nothing.
    table_io::import(store.client(), store.table(), dump.as_bytes())
        .await
        .expect("import again");
    assert_eq!(sorted(&export(&store).await), sorted(&dump));
    // And the bot still works on the restored table.
    assert_eq!(
        t.update(&text_update(200, 7_100_002, "Ann", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(t.user(7_100_002).await.expect("user").balance.0, 12_345);
}
