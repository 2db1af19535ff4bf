// Takes the README screenshots from a running Odoo with the demo data of field_maintenance.
//
//   npm install playwright-core            (once, anywhere on NODE_PATH)
//   node tools/screenshots.mjs http://localhost:8069 <db> [out_dir]
//
// Environment: CHROMIUM (default /usr/bin/chromium), ODOO_LOGIN / ODOO_PASSWORD (admin/admin:
// the rules), SHOTS (default "desk,portal,phone": the office at 1440 px, the customer portal
// at 1440 and 360 px, the technician's phone at 360 px). The demo users log in with their
// login as password: dispatch.nathalie, tech.jan, portal.els.
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

async function firstId(page, model, domain, order = "id") {
    return page.evaluate(async ([model, domain, order]) => {
        const response = await fetch(`/web/dataset/call_kw/${model}/search_read`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
                jsonrpc: "2.0", method: "call", params: {
                    model, method: "search_read",
                    args: [domain, ["id"]], kwargs: { limit: 1, order },
                },
            }),
        });
        return (await response.json()).result[0]?.id;
    }, [model, domain, order]);
}

// which groups of screenshots to take (comma-separated): desk (office), portal, phone
// (the technician's screens)
const groups = new Set((process.env.SHOTS || "desk,portal,phone").split(","));

if (groups.has("desk")) {
    // the dispatcher of the demo data (login = password)
    const desk = await session({ width: 1440, height: 900 }, "dispatch.nathalie",
        "dispatch.nathalie");
    await shot(desk, "/odoo/action-field_maintenance.action_field_work_order",
        "work_orders_kanban.png", ".o_kanban_renderer");
    await shot(desk, "/odoo/action-field_maintenance.action_field_work_order_calendar",
        "planning_calendar.png", ".o_calendar_renderer");
    await shot(desk, "/odoo/action-field_maintenance.action_field_work_order_to_plan",
        "to_plan_list.png", ".o_list_renderer");
    const plannedId = await firstId(desk, "field.work.order", [["state", "=", "planned"]]);
    await shot(desk, `/odoo/action-field_maintenance.action_field_work_order/${plannedId}`,
        "work_order_form.png", ".o_form_renderer");
    await shot(desk, "/odoo/action-field_maintenance.action_field_maintenance_plan",
        "maintenance_plans.png", ".o_list_renderer");
    // rules: the administrator
    const admin = await session({ width: 1440, height: 900 });
    await shot(admin, "/odoo/action-field_maintenance.action_field_automation_rules",
        "rules_kanban.png", ".o_kanban_renderer");
    const ruleId = await firstId(admin, "base.automation",
        [["fm_trigger", "=", "wo_planned_to_ready"], ["active", "in", [true, false]]]);
    await shot(admin, `/odoo/action-field_maintenance.action_field_automation_rules/${ruleId}`,
        "rule_form.png", ".o_form_renderer");
}

if (groups.has("phone")) {
    // a technician of the demo data on a phone (login = password)
    const phone = await session({ width: 360, height: 780 }, "tech.jan", "tech.jan");
    const startedId = await firstId(phone, "field.work.order", [["state", "=", "in_progress"]]);
    await shot(phone, `/odoo/action-field_maintenance.action_field_work_order_my/${startedId}`,
        "work_order_phone.png", ".o_form_renderer");
    await shot(phone, "/odoo/action-field_maintenance.action_field_work_order_my",
        "my_work_phone.png", ".o_kanban_renderer");
}

if (groups.has("portal")) {
    // the demo customer on the portal (login = password): desktop and phone
    const customer = await session({ width: 1440, height: 600 }, "portal.els", "portal.els");
    await shot(customer, "/my/installations", "portal_installations.png",
        ".o_portal_my_doc_table");
    await shot(customer, "/my/work_orders", "portal_work_orders.png", ".o_portal_my_doc_table");
    const mobile = await session({ width: 360, height: 780 }, "portal.els", "portal.els");
    await shot(mobile, "/my/work_orders", "portal_work_orders_phone.png",
        ".o_portal_my_doc_table");
    await shot(mobile, "/my/installations", "portal_installations_phone.png",
        ".o_portal_my_doc_table");
}

await browser.close();
