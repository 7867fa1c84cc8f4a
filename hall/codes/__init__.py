"""Member and workroom codes (委员码 / 工作室码): a printable QR code that opens the hall on a
resident's phone with a form addressed to one member or workroom; the messages land in the
addressee's inbox, are answered (the resident reads the answer by tracking code) or turned into a
consultation topic or a 社情民意 item. Same rooms as every app: services, selectors, forms,
views; the models live in ``hall.models`` (ContactCode, CodeMessage)."""
