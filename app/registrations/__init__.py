"""Registrations (申込) for events: signup (the applicant's self-service), answers (choices and
custom questions), seats (counting, the waitlist, promotion), organizer_actions (approve,
decline, cancel, promote, correct, check in), lists (the console's search, check-in list and
counts), event_changes (editing or cancelling an event people signed up for), join_links,
feeds (a member's calendar), attendance (an online meeting's participant list), invites and
notifications (the mails and their calendars)."""
