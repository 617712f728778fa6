"""XDM from what a source shows: inference from an explore response, tables, Stripe's field types."""
