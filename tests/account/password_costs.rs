//! The admin API's view of the stored password-hash costs and its recount (`docs/http-api.md#admin-api`).

use crate::*;

const BEARER: &str = "Bearer admin-0123456789abcdef0123456789abcd";

fn admin(h: &Harness, method: &str, path: &str) -> HttpResponse {
    h.send(method, path, &[("authorization", BEARER)], b"")
}

#[test]
fn the_admin_api_shows_and_recounts_the_stored_hash_costs() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    h.registered("b@b.co", "correct horse");
    let costs = json!({ "pbkdf2-sha256$i=1000": 2 });
    let r = admin(&h, "GET", "/admin/password-costs");
    assert_eq!(
        (r.status, r.body_json()),
        (200, Some(json!({ "costs": costs })))
    );
    // Lost (a store from before the tally): the recount finds both hashes again.
    block_on(h.store.delete(edge_auth::store::keys::HASH_COSTS)).unwrap();
    assert_eq!(
        admin(&h, "GET", "/admin/password-costs").body_json(),
        Some(json!({ "costs": {} }))
    );
    let r = admin(&h, "POST", "/admin/password-costs/recount");
    assert_eq!(
        (r.status, r.body_json()),
        (
            200,
            Some(json!({ "costs": costs, "scanned": 2, "next_cursor": null }))
        )
    );
    assert_eq!(
        admin(&h, "GET", "/admin/password-costs").body_json(),
        Some(json!({ "costs": costs }))
    );
}

#[test]
fn recount_cursors_and_methods_are_checked_and_the_secret_is_required() {
    let h = harness(&[]);
    assert_error(
        &admin(&h, "POST", "/admin/password-costs/recount?cursor=ai%3Ax"),
        400,
        "invalid_data",
        "Invalid cursor: pass the next_cursor of the previous answer, or start again without one",
    );
    assert_eq!(
        admin(&h, "GET", "/admin/password-costs/recount").status,
        405
    );
    assert_eq!(admin(&h, "DELETE", "/admin/password-costs").status, 405);
    for (method, path) in [
        ("GET", "/admin/password-costs"),
        ("POST", "/admin/password-costs/recount"),
    ] {
        let r = h.send(method, path, &[("authorization", "Bearer wrong")], b"");
        assert_error(&r, 401, "unauthorized", "Unauthorized");
    }
}
