from django import template

from documents.forms import proof_prefix, slot_dom_id

register = template.Library()

register.filter("proof_prefix", proof_prefix)
register.filter("slot_dom_id", slot_dom_id)
