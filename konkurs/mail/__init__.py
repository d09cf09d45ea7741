"""The mailer: letters that the events call for, composed into an outbox exactly once and sent by SMTP.

`outbox` holds the composed messages, `address_book` the erasable addresses they go to,
`composer` decides what each event sends, `templates` renders the Russian texts, `smtp` hands a
message to the server and `runner` ties them together for `konkurs mailer run`. See docs/mail.md.
"""
