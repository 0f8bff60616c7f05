"""Materials (資料) of an event: uploaded files and links, shared with attendees afterwards."""
