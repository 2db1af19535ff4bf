from . import field_maintenance_plan_cancel
