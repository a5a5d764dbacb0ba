"""Messages to participants: a reminder before an event and a thank-you with their figures after.

``campaignkit notify`` (:mod:`bot.notifications.job`) posts them on user talk
pages for events whose page says ``reminders=yes``, exactly once per event,
person and kind (:mod:`bot.notifications.journal`), in each wiki's language
(:mod:`bot.notifications.messages`).
"""
