"""Documents Konkurs prints for officials: the working group's protocol."""
