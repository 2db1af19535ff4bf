"""A thin JSON-RPC client of an Odoo 19 server, calling what the web client calls
(``/web/session/authenticate``, ``/web/dataset/call_kw``, ``/web/dataset/call_button``)
and the portal pages, plus ``view_specification``: the ``web_read``/``web_search_read``
specification the web client builds from a view's arch as ``get_views`` returns it.

Used by ``bench_screens.py`` and by the Locust load test (``locustfile.py``), which
passes its own ``requests``-compatible session (Locust's ``HttpSession``) to record
each request under a name.
"""

import itertools
import re

_ids = itertools.count(1)


class RpcError(Exception):
    """An error the server returned to the user (what the web client shows)."""

    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name") or ""
        self.message = data.get("message") or error.get("message") or str(error)
        super().__init__(f"{self.name}: {self.message}")


class OdooClient:
    def __init__(self, base_url, database, session=None):
        import requests

        self.base_url = base_url.rstrip("/")
        self.database = database
        self.session = session if session is not None else requests.Session()
        self.uid = None
        self.context = {}

    def _url(self, path):
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def post_json(self, path, params, name=None):
        payload = {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(_ids)}
        if _is_locust(self.session):
            # Locust records the request under ``name``; an error the server returns in
            # the JSON body is a failure the user sees, recorded as such
            with self.session.post(
                self._url(path), json=payload, timeout=300, name=name, catch_response=True
            ) as response:
                body = response.json() if response.ok else {"error": {"message": response.text}}
                if body.get("error"):
                    error = RpcError(body["error"])
                    response.failure(str(error)[:500])
                    raise error
                return body.get("result")
        response = self.session.post(self._url(path), json=payload, timeout=300)
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RpcError(body["error"])
        return body.get("result")

    def login(self, login, password):
        result = self.post_json(
            "/web/session/authenticate",
            {"db": self.database, "login": login, "password": password},
            name="login",
        )
        self.uid = result["uid"]
        self.session_info = result
        self.context = dict(result.get("user_context") or {})
        return result

    def load_action(self, xmlid):
        """The window action as the web client loads it (``/web/action/load``)."""
        return self.post_json("/web/action/load", {"action_id": xmlid}, name="action/load")

    def call(self, model, method, *args, tag=None, name=None, **kwargs):
        """``model.method(*args, **kwargs)`` as the web client calls it; ``tag`` ends
        the URL, so that the server's access log names the screen."""
        kwargs.setdefault("context", dict(self.context))
        path = f"/web/dataset/call_kw/{model}/{method}"
        if tag:
            path += f"/screen={tag}"  # the access log of a POST shows no query string
        return self.post_json(
            path,
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            name=name or f"{model}.{method}",
        )

    def call_button(self, model, method, ids, tag=None, name=None):
        path = f"/web/dataset/call_button/{model}/{method}"
        if tag:
            path += f"/screen={tag}"
        return self.post_json(
            path,
            {
                "model": model,
                "method": method,
                "args": [ids],
                "kwargs": {"context": dict(self.context)},
            },
            name=name or f"{model}.{method}",
        )

    def get(self, path, tag=None, name=None):
        """A page (portal), following redirects; the response."""
        if tag:
            path += ("&" if "?" in path else "?") + f"screen={tag}"
        kwargs = {"name": name} if name and _is_locust(self.session) else {}
        response = self.session.get(self._url(path), timeout=300, **kwargs)
        response.raise_for_status()
        return response


def _is_locust(session):
    return type(session).__module__.startswith("locust")


# ---------------------------------------------------------------------------
# specifications of views, as the web client builds them
# ---------------------------------------------------------------------------

X2MANY = ("one2many", "many2many")
# limit of the records of an x2many list in a form (web client's default)
X2MANY_LIMIT = 40


def _own_fields(node):
    """The <field> nodes of a view, not those of its x2many subviews."""
    for child in node.iterchildren():
        if not isinstance(child.tag, str):
            continue
        if child.tag == "field":
            yield child
        else:
            yield from _own_fields(child)


def view_specification(arch, model, models):
    """The specification the web client reads the records of a view with.

    :param arch: the view's arch (string or lxml node) from ``get_views``
    :param model: the model of the view
    :param models: ``get_views(...)["models"]`` (the fields of every model involved)
    """
    from lxml import etree

    node = etree.fromstring(arch) if isinstance(arch, str) else arch
    fields = models[model]["fields"]
    spec = {}
    for field_node in _own_fields(node):
        name = field_node.get("name")
        info = fields.get(name)
        if info is None:
            continue
        field_spec = spec.setdefault(name, {})
        ftype = info["type"]
        if ftype == "many2one" or ftype == "many2one_reference":
            field_spec["fields"] = {"display_name": {}}
        elif ftype in X2MANY:
            subview = next(
                (
                    child
                    for child in field_node.iterchildren()
                    if isinstance(child.tag, str) and child.tag in ("list", "kanban")
                ),
                None,
            )
            if subview is not None:
                field_spec["fields"] = view_specification(subview, info["relation"], models)
                field_spec["limit"] = int(subview.get("limit") or X2MANY_LIMIT)
                if subview.get("default_order"):
                    field_spec["order"] = subview.get("default_order")
            elif field_node.get("widget", "").startswith(("many2many", "one2many")):
                field_spec["fields"] = {"display_name": {}}
            else:
                field_spec["fields"] = {}
    if node.tag == "form":
        spec["display_name"] = {}
    return spec


def search_filter_domain(search_arch, filter_name):
    """The domain (string) of a filter of a search view, e.g. ``filter_upcoming``."""
    from lxml import etree

    node = etree.fromstring(search_arch)
    for filter_node in node.iter("filter"):
        if filter_node.get("name") == filter_name:
            return filter_node.get("domain")
    raise KeyError(filter_name)


_RELATIVE = re.compile(r"'today(?P<rest>[^']*)'")


def relative_dates_domain(domain_string, today, fmt="%Y-%m-%d %H:%M:%S"):
    """A filter domain with the web client's relative dates ('today', 'today +3d',
    'today =week_start +1w', 'today =1d +1m') replaced by dates: the client sends dates,
    not the words (``fmt``: "%Y-%m-%d" for date fields)."""
    from datetime import timedelta

    def add_months(day, months):
        month = day.month - 1 + months
        year, month = day.year + month // 12, month % 12 + 1
        return day.replace(year=year, month=month, day=min(day.day, 28))

    def replace(match):
        day = today
        for part in match.group("rest").split():
            if part == "=week_start":
                day -= timedelta(days=day.weekday())
            elif part.startswith("=") and part.endswith("d"):
                day = day.replace(day=int(part[1:-1]))
            elif part[0] in "+-":
                sign = 1 if part[0] == "+" else -1
                number, unit = sign * int(part[1:-1]), part[-1]
                if unit == "m":
                    day = add_months(day, number)
                elif unit == "y":
                    day = add_months(day, 12 * number)
                else:
                    day += timedelta(days=number * {"d": 1, "w": 7}[unit])
        return repr(day.strftime(fmt))

    return _RELATIVE.sub(replace, domain_string)
