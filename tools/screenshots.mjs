// Takes the README screenshots from a running Odoo with the demo data of field_maintenance.
//
//   npm install playwright-core            (once, anywhere on NODE_PATH)
//   node tools/screenshots.mjs http://localhost:8069 <db> [out_dir]
//
// Environment: CHROMIUM (default /usr/bin/chromium), ODOO_LOGIN / ODOO_PASSWORD (admin/admin).
import { chromium } from "playwright-core";

const [base = "http://localhost:8069", db = "field_maintenance", out = "docs/screenshots"] =
    process.argv.slice(2);
const login = process.env.ODOO_LOGIN || "admin";
const password = process.env.ODOO_PASSWORD || "admin";

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function session(viewport, user = login, secret = password) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${base}/web/login?db=${db}`);
    await page.fill("input[name=login]", user);
    await page.fill("input[name=password]", secret);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    return page;
}

async function shot(page, url, file, waitFor) {
    await page.goto(`${base}${url}`);
    await page.waitForSelector(waitFor, { timeout: 30000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}/${file}` });
    console.log(`${out}/${file}`);
}

async function firstOrderId(page, state) {
    return page.evaluate(async (state) => {
        const response = await fetch("/web/dataset/call_kw/field.work.order/search_read", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
                jsonrpc: "2.0", method: "call", params: {
                    model: "field.work.order", method: "search_read",
                    args: [[["state", "=", state]], ["id"]], kwargs: { limit: 1 },
                },
            }),
        });
        return (await response.json()).result[0].id;
    }, state);
}

const desk = await session({ width: 1440, height: 900 });
await shot(desk, "/odoo/action-field_maintenance.action_field_work_order",
    "work_orders_kanban.png", ".o_kanban_renderer");
await shot(desk, "/odoo/action-field_maintenance.action_field_work_order_calendar",
    "planning_calendar.png", ".o_calendar_renderer");
const doneId = await firstOrderId(desk, "done");
await shot(desk, `/odoo/action-field_maintenance.action_field_work_order/${doneId}`,
    "work_order_form.png", ".o_form_renderer");

// a technician of the demo data on a phone (login = password)
const phone = await session({ width: 360, height: 780 }, "tech.jan", "tech.jan");
const plannedId = await firstOrderId(phone, "in_progress");
await shot(phone, `/odoo/action-field_maintenance.action_field_work_order_my/${plannedId}`,
    "work_order_phone.png", ".o_form_renderer");
await shot(phone, "/odoo/action-field_maintenance.action_field_work_order_my",
    "my_work_phone.png", ".o_kanban_renderer");

// the demo customer on the portal (login = password)
const customer = await session({ width: 1280, height: 420 }, "portal.els", "portal.els");
await shot(customer, "/my/installations", "portal_installations.png", ".o_portal_my_doc_table");

await browser.close();
