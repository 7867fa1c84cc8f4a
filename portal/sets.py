"""`id = ANY(ARRAY(subquery))`: a set of ids that PostgreSQL reads once (an init plan) and then
looks up through the primary key, where `id IN (subquery)` may become a hash join over the whole
table and an `OR` of several conditions keeps each one from using its own index.

    Member.objects.filter(pk__in_array=ids_a.union(ids_b, all=True))

Other databases get the plain `IN (subquery)`."""

from __future__ import annotations

from django.db import models
from django.db.models.lookups import In


class InArray(In):
    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():  # a list of values: the plain IN
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


models.Field.register_lookup(InArray)
