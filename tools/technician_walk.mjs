// The technician's day on a phone: logs in as the demo technician tech.jan on a
// 360x780 screen, walks one job from login to "Report Complete" (one material line, five
// checks, a photo, a drawn signature), counts the taps and the scrolls, and fails when the
// job takes more than 20 taps or when the main action needs a scroll. Screenshots of each
// screen go to docs/screenshots/phone-*.png.
//
//   node tools/technician_walk.mjs http://127.0.0.1:8069 <db> [out_dir]
//
// Needs: a running Odoo with field_maintenance and its demo data (admin/admin, tech.jan),
// playwright-core in tools/node_modules (npm install --prefix tools), Chromium (CHROMIUM,
// default /usr/bin/chromium). The job is created for tech.jan through JSON-RPC as admin
// before the walk. ./run-tests runs it on its database with demo data.
import { chromium } from "playwright-core";

const [base = "http://127.0.0.1:8069", db = "field_maintenance", out = "docs/screenshots"] =
    process.argv.slice(2);
const MAX_TAPS = 20;
const VIEWPORT = { width: 360, height: 780 };
// a 1x1 PNG: the photo of the job
const PNG = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
    "base64"
);

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function login(page, user, password) {
    await page.goto(`${base}/web/login?db=${db}`);
    await page.fill("input[name=login]", user);
    await page.fill("input[name=password]", password);
}

async function rpc(page, model, method, args, kwargs = {}) {
    return page.evaluate(
        async ({ model, method, args, kwargs }) => {
            const response = await fetch(`/web/dataset/call_kw/${model}/${method}`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({
                    jsonrpc: "2.0", method: "call", params: { model, method, args, kwargs },
                }),
            });
            const result = await response.json();
            if (result.error) {
                throw new Error(JSON.stringify(result.error.data?.message || result.error));
            }
            return result.result;
        },
        { model, method, args, kwargs }
    );
}

// ---------------------------------------------------------------------------------------
// The job, prepared by the office (admin)
// ---------------------------------------------------------------------------------------
const office = await (await browser.newContext()).newPage();
await login(office, "admin", "admin");
await Promise.all([office.waitForNavigation(), office.click("button[type=submit]")]);
const [jan] = await rpc(office, "res.users", "search_read", [[["login", "=", "tech.jan"]], ["id"]]);
const [customer] = await rpc(office, "res.partner", "search_read",
    [[["name", "ilike", "Janssens"], ["is_company", "=", true]], ["id"]], { limit: 1 });
const workTypes = await rpc(office, "field.work.type", "search_read",
    [[["name", "=", "Periodic maintenance"]], ["id"]], { limit: 1 });
const checks = [
    "Visual inspection of the installation",
    "Clean burner / heat exchanger / filters",
    "Check pressure and safety devices",
    "Flue gas / combustion measurement",
    "Installation left clean and running",
];
const runId = Date.now().toString(36).slice(-5);
// the first job of the technician's day: before their other open jobs
const [first] = await rpc(office, "field.work.order", "search_read", [
    [["technician_ids", "in", [jan.id]], ["state", "not in", ["done", "cancelled"]],
        ["planned_date_start", "!=", false]],
    ["planned_date_start"],
], { order: "planned_date_start", limit: 1 });
const startMs = Math.min(
    Date.now() + 15 * 60 * 1000,
    first ? Date.parse(`${first.planned_date_start.replace(" ", "T")}Z`) - 60 * 1000 : Infinity
);
const start = new Date(startMs).toISOString().slice(0, 19).replace("T", " ");

async function createJob(summary) {
    const id = await rpc(office, "field.work.order", "create", [{
        partner_id: customer.id,
        summary,
        work_type_id: workTypes[0]?.id || false,
        technician_ids: [[6, 0, [jan.id]]],
        planned_date_start: start,
        checklist_ids: checks.map((name, index) => [0, 0, { name, sequence: index + 1 }]),
    }]);
    await rpc(office, "field.work.order", "action_plan", [[id]]);
    return id;
}
const orderId = await createJob(`Yearly boiler service (walk ${runId})`);
// a second job, reported complete too early: what is missing, and the way to fix it
const earlyId = await createJob(`Boiler service, reported early (walk ${runId})`);
await office.context().close();

// ---------------------------------------------------------------------------------------
// The walk, as tech.jan
// ---------------------------------------------------------------------------------------
const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, hasTouch: true });
const page = await context.newPage();
let taps = 0;
let scrolls = 0;
const log = [];

async function inViewport(locator) {
    const box = await locator.boundingBox();
    return Boolean(box && box.y >= 0 && box.y + box.height <= VIEWPORT.height);
}

async function tap(locator, what) {
    await locator.waitFor({ state: "visible", timeout: 30000 });
    if (!(await inViewport(locator))) {
        scrolls += 1;
        log.push(`  scroll to ${what}`);
        await locator.scrollIntoViewIfNeeded();
    }
    taps += 1;
    log.push(`${String(taps).padStart(2)} tap ${what}`);
    await locator.click();
}

async function settle() {
    // the web client keeps a connection open (bus): wait for its requests to end instead
    await page.waitForTimeout(300);
    await page.waitForFunction(() => !document.querySelector(".o_loading_indicator, .o_blockUI"),
        null, { timeout: 30000 });
    await page.waitForTimeout(500);
}

async function shot(name) {
    await settle();
    await page.screenshot({ path: `${out}/phone-${name}.png` });
    console.log(`${out}/phone-${name}.png`);
}

async function mainActionReachable(name) {
    const bar = page.locator(".o_fm_action_bar .btn:visible").first();
    await bar.waitFor({ state: "visible", timeout: 30000 });
    if (!(await inViewport(bar))) {
        throw new Error(`the main action is off screen on the ${name} screen`);
    }
}

const form = page.locator(".o_form_view.o_fm_technician_form");
await login(page, "tech.jan", "tech.jan");
await tap(page.locator("button[type=submit]"), "Log in");
// the home action of technicians: My Work
await page.waitForSelector(".o_kanban_renderer", { timeout: 30000 });
await shot("my-work");
await tap(page.locator(".o_kanban_record", { hasText: `(walk ${runId})` }).first(), "the job");
await form.waitFor({ timeout: 30000 });
await shot("job");
await mainActionReachable("job");
await tap(page.locator(".o_fm_action_bar button[name=action_start]"), "Start");
await settle();
await mainActionReachable("started job");

// five checks, one tap each
for (const name of checks) {
    const row = page.locator(".o_fm_checklist .o_data_row", { hasText: name });
    await tap(row.locator("button[name=action_result_ok]:visible"), `OK: ${name}`);
    await settle();
}
await shot("checks");
await mainActionReachable("checks");

// one material line
await tap(page.locator(".o_notebook_headers a", { hasText: "Parts" }), "Parts");
await tap(page.locator(".o_fm_parts .o_field_x2many_list_row_add a").first(), "Add a part");
// on a phone the part is picked in a search dialog: the parts used lately come first
const partInput = page.locator(".o_fm_parts .o_data_row.o_selected_row [name=product_id] input");
await partInput.waitFor({ timeout: 30000 });
if ((await partInput.getAttribute("readonly")) === null) {
    // a large screen: the autocomplete of the field
    await page.keyboard.type("Sludge");
    await tap(page.locator(".o-autocomplete--dropdown-item", { hasText: "Sludge" }).first(),
        "the part in the list");
} else {
    await tap(partInput, "the part field");
    const dialog = page.locator(".modal");
    await dialog.locator(".o_kanban_record, .o_data_row").first().waitFor({ timeout: 30000 });
    const part = dialog.locator(".o_kanban_record, .o_data_row", { hasText: "Sludge" }).first();
    if (!(await part.isVisible())) {
        // type to search (a tap in the search field)
        await tap(dialog.locator(".o_searchview_input").first(), "search");
        await page.keyboard.type("Sludge");
        await page.keyboard.press("Enter");
        await settle();
    }
    await shot("part-picker");
    await tap(part, "the part in the list");
}
await shot("parts");
await mainActionReachable("parts");

// a photo
await tap(page.locator(".o_notebook_headers a", { hasText: "Photos" }), "Photos");
const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    tap(page.locator(".o_field_many2many_binary .o_attach").first(), "Add photos"),
]);
await chooser.setFiles({ name: "boiler.png", mimeType: "image/png", buffer: PNG });
await page.waitForSelector(".o_field_many2many_binary .o_attachment", { timeout: 30000 });
await shot("photos");

// the customer draws the signature
await tap(page.locator(".o_notebook_headers a", { hasText: "Sign" }), "Sign");
await tap(page.locator(".o_field_fm_signature_draw .o_signature").first(), "the signature field");
const pad = page.locator(".o_web_sign_signature").first();
await pad.waitFor({ timeout: 30000 });
const mode = await page.locator(".o_web_sign_draw_button.active, .o_web_sign_draw_button.btn-primary").count();
const padBox = await pad.boundingBox();
taps += 1;
log.push(`${String(taps).padStart(2)} draw the signature (one stroke)`);
await page.mouse.move(padBox.x + 20, padBox.y + padBox.height / 2);
await page.mouse.down();
for (let step = 1; step <= 20; step++) {
    await page.mouse.move(
        padBox.x + 20 + step * ((padBox.width - 40) / 20),
        padBox.y + padBox.height / 2 + (step % 2 ? -15 : 15)
    );
}
await page.mouse.up();
await shot("signature-draw");
await tap(page.locator(".modal .modal-footer .btn-primary").first(), "Adopt & Sign");
await shot("signed");
await mainActionReachable("signature");

// done
await tap(page.locator(".o_fm_action_bar button[name=action_report_complete]"), "Report Complete");
await settle();
const [done] = await rpc(page, "field.work.order", "read", [[orderId], ["state", "signature_mode"]]);
await page.evaluate(() => {
    // back to the top of the job (no tap): whatever element scrolled
    for (const el of document.querySelectorAll("*")) {
        if (el.scrollTop) {
            el.scrollTop = 0;
        }
    }
    window.scrollTo(0, 0);
});
await shot("done");

// reported complete too early: the list of what is missing, each with its "Fix" button
await page.goto(`${base}/odoo/action-field_maintenance.action_field_work_order_my/${earlyId}`);
await form.waitFor({ timeout: 30000 });
await page.locator(".o_fm_action_bar button[name=action_start]").click();
await settle();
await page.locator(".o_fm_action_bar button[name=action_report_complete]").click();
const wizard = page.locator(".modal .o_field_one2many[name=line_ids]");
await wizard.waitFor({ timeout: 30000 });
await shot("complete-missing");
const missing = await wizard.locator(".o_data_row").count();
await wizard.locator(".o_data_row", { hasText: "checks still to do" })
    .locator("button[name=action_fix]").click();
await page.locator(".modal .o_fm_checklist").waitFor({ timeout: 30000 });
await shot("complete-fix-checklist");
const [early] = await rpc(page, "field.work.order", "read", [[earlyId], ["state"]]);
await browser.close();

console.log(log.join("\n"));
console.log(`taps: ${taps}, scrolls: ${scrolls}, draw mode by default: ${mode > 0}, ` +
    `state: ${done.state}, signature: ${done.signature_mode}; ` +
    `early job: ${early.state}, ${missing} missing items listed`);
const problems = [];
if (taps > MAX_TAPS) {
    problems.push(`${taps} taps, more than ${MAX_TAPS}`);
}
if (scrolls) {
    // the main action never needs one (mainActionReachable); any other scroll is counted
    problems.push(`${scrolls} scrolls`);
}
if (done.state !== "done") {
    problems.push(`the job is ${done.state}, not done`);
}
if (early.state !== "in_progress" || missing < 3) {
    problems.push(`the early job is ${early.state} with ${missing} missing items listed`);
}
if (done.signature_mode !== "draw") {
    problems.push(`the signature is ${done.signature_mode}, not drawn`);
}
if (problems.length) {
    console.error(`FAILED: ${problems.join("; ")}`);
    process.exit(1);
}
console.log("OK");
