"""Copies of the part of a dataset the ORM built (``make_dataset.py --copies``).

The ORM makes about 250 work orders and 12 invoices a second on the 2-core development
machine: 200,000 work orders and 30,000 invoices would take an hour. So the ORM builds
one block (1/N of the customers with everything that is theirs: sites, installations,
plans with their visits, work orders with lines, checklists, technicians, calendar
events and attendees, invoices with their lines and taxes, followers), and PostgreSQL
copies that block N-1 times, one ``INSERT ... SELECT`` per table and copy:

- ids: a copy's row has the id of its original plus ``copy x span`` of its table (the
  span is the range of ids the block used), and every foreign key or ``res_model``/
  ``res_id`` reference to a copied table is moved the same way; references to records
  outside the block (users, products, taxes, accounts, companies) stay as they are;
- what must stay unique or tell the records apart is numbered on: references of work
  orders and invoices (``WO/2026/00017`` becomes ``WO/2026/02033`` in copy 1, in the
  order's name and wherever it is written: calendar events, invoice lines, invoice
  origins), invoice sequence numbers, customers' names and e-mails, plan names, serial
  numbers; access and booking tokens are new;
- the technicians take turns: in copy k the work of the block's i-th technician goes to
  the (i+k)-th (work orders, their technicians and lead, calendar events and
  attendances, followers, plans), so that a technician's days mix those of ten
  technicians of the block instead of repeating one tenfold;
- everything else, computed or not, is the original's value: amounts, SLA deadlines,
  statuses, dates. A copy has the same dates as its block: the calendar of a day holds
  N times the block's visits of that day, at the same hours, spread over the
  technicians;
- the work-order sequence continues after the highest number used; id sequences after
  the highest id.

Which tables are copied is listed in ``TABLES``; a table that grew while the block was
built and is neither copied nor in ``NOT_COPIED`` stops the script (a new table of the
module or of Odoo would otherwise be silently left out). The invoices' chatter message
("created from work orders ...", which links the orders by id) is not copied.
"""

# copied, in an order where a table comes after the tables it refers to
TABLES = [
    "res_partner",
    "field_equipment",
    "field_maintenance_plan",
    "field_maintenance_plan_line",
    "field_equipment_maintenance_plan_rel",
    "field_work_order",
    "field_work_order_line",
    "field_work_order_checklist",
    "field_equipment_work_order_rel",
    "field_work_order_technician_rel",
    "calendar_event",
    "calendar_attendee",
    "calendar_event_res_partner_rel",
    "account_move",
    "account_move_line",
    "account_move_line_account_tax_rel",
    "field_work_order_line_invoice_rel",
    "mail_followers",
    "mail_followers_mail_message_subtype_rel",
]
# grow while the block is built, not copied (and why)
NOT_COPIED = {
    "mail_message": "the invoices' creation message links orders by id",
    "ir_cron_trigger": "cron wake-ups of the block's creation",
    "bus_bus": "notifications",
    "ir_attachment": "assets and images of the set-up",
    "ir_sequence_date_range": "sequence of the year, shared",
    "mail_message_res_partner_needaction_rel": "messages are not copied",
    "mail_notification": "messages are not copied",
}
MODELS = {
    "res.partner": "res_partner",
    "field.equipment": "field_equipment",
    "field.maintenance.plan": "field_maintenance_plan",
    "field.work.order": "field_work_order",
    "calendar.event": "calendar_event",
    "account.move": "account_move",
}
TOKENS = {"access_token", "booking_token"}
# text columns that carry a numbered reference, and which numbering applies to each
NUMBERED = {
    "res_partner": {
        "name": ("customer",),
        "complete_name": ("customer",),
        "commercial_company_name": ("customer",),
        "email": ("customer_email",),
    },
    "field_equipment": {"serial_number": ("serial",)},
    "field_maintenance_plan": {"name": ("plan",)},
    "field_work_order": {"name": ("work_order",)},
    "calendar_event": {"name": ("work_order", "customer")},
    "calendar_attendee": {"common_name": ("customer",)},
    "account_move": {
        "name": ("invoice",),
        "payment_reference": ("invoice",),
        "invoice_origin": ("work_order",),
        "invoice_partner_display_name": ("customer",),
    },
    "account_move_line": {"name": ("work_order", "invoice"), "move_name": ("invoice",)},
}

RENUMBER_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.fm_renumber(value text, prefix text, delta bigint,
                                               width int) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    result text := '';
    position int;
    digits text;
    number text;
BEGIN
    IF value IS NULL OR delta = 0 OR strpos(value, prefix) = 0 THEN
        RETURN value;
    END IF;
    LOOP
        position := strpos(value, prefix);
        EXIT WHEN position = 0;
        result := result || left(value, position - 1 + length(prefix));
        value := substr(value, position + length(prefix));
        digits := substring(value FROM '^[0-9]+');
        CONTINUE WHEN digits IS NULL;
        -- lpad() cuts what is longer than the width: pad only what is shorter
        number := (digits::bigint + delta)::text;
        result := result || repeat('0', greatest(width - length(number), 0)) || number;
        value := substr(value, length(digits) + 1);
    END LOOP;
    RETURN result || value;
END $$;
"""


class BlockCopier:
    """Copies the rows the block added (see the module docstring)."""

    def __init__(self, cr):
        self.cr = cr
        self.watermarks = {}
        self.columns = {}
        self.references = {}
        self.user_columns = {}
        self.technicians = []
        self.sizes_before = {}

    # -- before the block --------------------------------------------------------

    def mark(self):
        """Remember where each table stands before the block is built."""
        cr = self.cr
        self.sizes_before = self._table_sizes()
        for table in TABLES:
            self.columns[table] = self._columns(table)
            if "id" in self.columns[table]:
                cr.execute(f'SELECT COALESCE(max(id), 0) FROM "{table}"')  # noqa: S608
                self.watermarks[table] = cr.fetchone()[0]
            self.references[table] = self._references(table)
            self.user_columns[table] = [
                column
                for column, target in self._references(table, copied=False).items()
                if target == "res_users" and column not in ("create_uid", "write_uid")
            ]

    def _columns(self, table):
        self.cr.execute(
            """SELECT column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = %s AND is_generated = 'NEVER'
                ORDER BY ordinal_position""",
            [table],
        )
        return [row[0] for row in self.cr.fetchall()]

    def _references(self, table, copied=True):
        """{column: referenced table} of the foreign keys of ``table`` (to copied tables)."""
        self.cr.execute(
            """SELECT a.attname, c.confrelid::regclass::text
                 FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND c.conrelid = %s::regclass
                  AND array_length(c.conkey, 1) = 1""",
            [table],
        )
        references = dict(self.cr.fetchall())
        return {
            column: target
            for column, target in references.items()
            if target in TABLES or not copied
        }

    def _table_sizes(self):
        """{table: highest id, or row count of a table without ids} of every table."""
        cr = self.cr
        cr.execute(
            """SELECT t.table_name, bool_or(c.column_name = 'id')
                 FROM information_schema.tables t
                 JOIN information_schema.columns c
                   ON c.table_schema = t.table_schema AND c.table_name = t.table_name
                WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                GROUP BY 1"""
        )
        parts = [
            f"SELECT '{table}', "
            + (
                f'(SELECT max(id) FROM "{table}")'
                if has_id
                else f'(SELECT count(*) FROM "{table}")'
            )
            for table, has_id in cr.fetchall()
        ]
        cr.execute(" UNION ALL ".join(parts))
        return {table: size or 0 for table, size in cr.fetchall()}

    def rotate(self, technicians):
        """Give each copy the block's work of other technicians: in copy k, the work of
        ``technicians[i]`` goes to ``technicians[i + k]`` (round), so that a technician's
        days mix the days of several technicians of the block instead of repeating one
        (ten visits at the same hour)."""
        self.technicians = [(user.id, user.partner_id.id) for user in technicians]

    def _rotation(self, column, number, index):
        """``column`` (a user, ``index`` 0, or a partner, 1) with the technicians rotated."""
        count = len(self.technicians)
        if count < 2 or number % count == 0:
            return f'"{column}"'
        cases = " ".join(
            f"WHEN {int(old[index])} THEN {int(self.technicians[(i + number) % count][index])}"
            for i, old in enumerate(self.technicians)
        )
        return f'CASE "{column}" {cases} ELSE "{column}" END'

    # -- after the block ---------------------------------------------------------

    def check_tables(self):
        """Stop when a table grew while the block was built and is not accounted for."""
        after = self._table_sizes()
        grown = {table for table, size in after.items() if size > self.sizes_before.get(table, 0)}
        unknown = sorted(grown - set(TABLES) - set(NOT_COPIED))
        # rows inserted for the set-up before the block (users, products) are not the
        # block's: only tables that refer to a copied table can hold block rows
        unknown = [table for table in unknown if self._refers_to_copied(table)]
        if unknown:
            raise RuntimeError(
                "These tables received rows while the block was built and are neither "
                f"copied nor listed as not copied in _dataset_copy.py: {', '.join(unknown)}"
            )

    def _refers_to_copied(self, table):
        columns = self._columns(table)
        return bool(self._references(table)) or {"res_model", "res_id"} <= set(columns)

    def prepare(self):
        """Spans of the block's ids and the numberings of its references."""
        cr = self.cr
        self.spans = {}
        for table, watermark in self.watermarks.items():
            cr.execute(f'SELECT COALESCE(max(id), 0) FROM "{table}"')  # noqa: S608
            self.spans[table] = max(cr.fetchone()[0] - watermark, 0)
        cr.execute(RENUMBER_FUNCTION)
        self.numberings = {
            # name: [(prefix, width, highest number of the block)]
            "customer": [("Customer ", 5, self._highest("res_partner", "name", "Customer "))],
            "customer_email": [("customer", 5, self._highest("res_partner", "email", "customer"))],
            "serial": [("SN", 8, self._highest("field_equipment", "serial_number", "SN"))],
            "plan": [
                ("Maintenance ", 5, self._highest("field_maintenance_plan", "name", "Maintenance "))
            ],
        }
        # work orders: every prefix (one per year of the sequence) the block used
        cr.execute(
            """SELECT substring(name FROM '^(.*/)[0-9]+$') AS prefix,
                      max(substring(name FROM '[0-9]+$')::bigint)
                 FROM field_work_order WHERE id > %s AND name ~ '/[0-9]+$' GROUP BY 1""",
            [self.watermarks["field_work_order"]],
        )
        self.work_order_prefixes = cr.fetchall()
        self.numberings["work_order"] = [
            (prefix, 5, highest) for prefix, highest in self.work_order_prefixes
        ]
        cr.execute(
            """SELECT sequence_prefix, max(sequence_number)
                 FROM account_move WHERE id > %s AND sequence_prefix IS NOT NULL
                GROUP BY 1""",
            [self.watermarks["account_move"]],
        )
        self.invoice_prefixes = cr.fetchall()
        self.numberings["invoice"] = [
            (prefix, 5, highest) for prefix, highest in self.invoice_prefixes
        ]

    def _highest(self, table, column, prefix):
        self.cr.execute(
            f"""SELECT COALESCE(max(substring("{column}" FROM %s)::bigint), 0)
                  FROM "{table}" WHERE id > %s""",  # noqa: S608
            [f"^{prefix}([0-9]+)", self.watermarks[table]],
        )
        return self.cr.fetchone()[0]

    def copy(self, number):
        """Insert copy ``number`` (1, 2, ...) of the block; the rows inserted.

        The foreign keys are not checked row by row (``session_replication_role``): the
        copies refer to each other in cycles (a work order to its calendar event and
        back), and a copy is consistent by construction; ``verify`` checks every
        reference afterwards."""
        self.cr.execute("SET LOCAL session_replication_role = replica")
        inserted = 0
        for table in TABLES:
            columns = self.columns[table]
            expressions = [self._expression(table, column, number) for column in columns]
            column_list = ", ".join(f'"{column}"' for column in columns)
            query = (
                f'INSERT INTO "{table}" ({column_list}) '  # noqa: S608
                f'SELECT {", ".join(expressions)} FROM "{table}" WHERE {self._block(table)}'
            )
            self.cr.execute(query)
            inserted += self.cr.rowcount
        if self.technicians:
            # the technicians' attendances of the copy carry their new technician's name
            mark = int(self.watermarks["calendar_attendee"])
            span = int(self.spans["calendar_attendee"])
            self.cr.execute(
                """UPDATE calendar_attendee a SET common_name = p.name
                     FROM res_partner p
                    WHERE p.id = a.partner_id AND a.partner_id = ANY(%s)
                      AND a.id > %s AND a.id <= %s""",
                [
                    [partner for _user, partner in self.technicians],
                    mark + number * span,
                    mark + (number + 1) * span,
                ],
            )
        return inserted

    def _block(self, table):
        """The condition of the block's rows of ``table``."""
        if table in self.watermarks:
            mark = int(self.watermarks[table])
            condition = f"id > {mark} AND id <= {mark + int(self.spans[table])}"
            if table == "mail_followers":
                models = ", ".join(f"'{model}'" for model in MODELS)
                condition += f" AND res_model IN ({models})"
            return condition
        # a relation table: its rows that refer to a row of the block
        return " OR ".join(
            f'"{column}" > {int(self.watermarks[target])} '
            f'AND "{column}" <= {int(self.watermarks[target] + self.spans[target])}'
            for column, target in self.references[table].items()
        )

    def _moved(self, column, target, number):
        mark = int(self.watermarks[target])
        shift = int(number * self.spans[target])
        outside = self._rotation(column, number, 1) if target == "res_partner" else f'"{column}"'
        return f'CASE WHEN "{column}" > {mark} THEN "{column}" + {shift} ELSE {outside} END'

    def _expression(self, table, column, number):
        if column == "id":
            return f"id + {int(number * self.spans[table])}"
        if column in self.references[table]:
            return self._moved(column, self.references[table][column], number)
        if column in self.user_columns[table]:
            return self._rotation(column, number, 0)
        if column == "res_id" and "res_model" in self.columns[table]:
            cases = " ".join(
                f"WHEN res_model = '{model}' AND res_id > {int(self.watermarks[target])} "
                f"THEN res_id + {int(number * self.spans[target])}"
                for model, target in MODELS.items()
            )
            return f"CASE {cases} ELSE res_id END"
        if column in TOKENS:
            return f'CASE WHEN "{column}" IS NULL THEN NULL ELSE gen_random_uuid()::text END'
        if table == "account_move" and column == "sequence_number":
            cases = " ".join(
                f"WHEN sequence_prefix = %s THEN sequence_number + {int(number * highest)}"
                for _prefix, highest in self.invoice_prefixes
            )
            if not cases:
                return '"sequence_number"'
            prefixes = [prefix for prefix, _highest in self.invoice_prefixes]
            return self.cr.mogrify(f"CASE {cases} ELSE sequence_number END", prefixes).decode()
        expression = f'"{column}"'
        for numbering in NUMBERED.get(table, {}).get(column, ()):
            for prefix, width, highest in self.numberings[numbering]:
                expression = self.cr.mogrify(
                    f"pg_temp.fm_renumber({expression}, %s, {int(number * highest)}, {width})",
                    [prefix],
                ).decode()
        return expression

    def verify(self):
        """What is wrong with the copies: {references that point nowhere or numbers used
        twice: count}."""
        cr = self.cr
        broken = {}
        for table in TABLES:
            for column, target in self.references[table].items():
                cr.execute(
                    f"""SELECT count(*) FROM "{table}" t
                          LEFT JOIN "{target}" r ON r.id = t."{column}"
                         WHERE t."{column}" IS NOT NULL AND r.id IS NULL"""  # noqa: S608
                )
                count = cr.fetchone()[0]
                if count:
                    broken[f"{table}.{column}"] = count
        for table in TABLES:
            if {"res_model", "res_id"} <= set(self.columns[table]):
                for model, target in MODELS.items():
                    cr.execute(
                        f"""SELECT count(*) FROM "{table}" t
                              LEFT JOIN "{target}" r ON r.id = t.res_id
                             WHERE t.res_model = %s AND r.id IS NULL""",  # noqa: S608
                        [model],
                    )
                    count = cr.fetchone()[0]
                    if count:
                        broken[f"{table}.res_id ({model})"] = count
        # what the copies numbered on must stay unique
        for label, query in (
            ("work-order references", "SELECT company_id, name FROM field_work_order"),
            (
                "invoice numbers",
                "SELECT journal_id, name FROM account_move WHERE state = 'posted'",
            ),
            (
                "serial numbers",
                "SELECT company_id, serial_number FROM field_equipment "
                "WHERE serial_number IS NOT NULL",
            ),
        ):
            cr.execute(
                f"SELECT count(*) FROM ({query} GROUP BY 1, 2 HAVING count(*) > 1) AS twice"  # noqa: S608
            )
            count = cr.fetchone()[0]
            if count:
                broken[f"{label} used twice"] = count
        return broken

    def finish(self, blocks, env):
        """Sequences after the copies: ids, and the work-order numbers (``blocks``: the
        block and its copies)."""
        cr = self.cr
        for table in self.watermarks:
            cr.execute(
                f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                  (SELECT max(id) FROM "{table}"))"""  # noqa: S608
            )
        Sequence = env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", "field.work.order")], limit=1)
        for prefix, highest in self.work_order_prefixes:
            for date_range in sequence.date_range_ids:
                year = str(date_range.date_from.year)
                if prefix.endswith(f"/{year}/"):
                    date_range.number_next_actual = highest * blocks + 1
