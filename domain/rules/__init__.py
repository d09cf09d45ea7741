"""Pure rules: values in, values out. Activities and auditors call the same functions."""
