// Every step a call can go through, as stamped on its timeline. A file of its own (no imports)
// so that the browser pages' type check (tsconfig.web.json) can read it without the store.

/** Timeline kinds, in one place so that a grep finds every step a call can go through. */
export type TimelineKind =
  | 'arrived' //            the call reached Asterisk (channel creation time)
  | 'entered_service' //    StasisStart: cti110 has the call
  | 'state' //              the call state machine moved
  | 'reattached' //         the service came back and found the call still up
  | 'adopted' //            a live call in our app that had no incident (e.g. lost insert)
  | 'offered' //            a seat (or the overflow target) is being rung
  | 'offer_failed' //       that seat did not answer, or could not be reached
  | 'connect_failed' //     a seat answered but Asterisk did not join it with the caller: queued again
  | 'answered' //           a call-taker (or the overflow target) has the caller
  | 'taker_hung_up' //      the call-taker ended the call
  | 'recording' //          recording of the call's bridge started
  | 'recording_failed' //   it could not start: loud in the log, visible here
  | 'recorded' //           a finished recording is stored with its SHA-256
  | 'fallback_call' //      the call was answered by the dialplan fallback (service down)
  | 'location' //           the caller's location is known: source, lon, lat, accuracy
  | 'location_unusable' //  a location came but could not be used (the call goes on without it)
  | 'dispatch' //           flat dispatch started: who will be rung, in order
  | 'dispatch_ringing' //   an officer's (or a unit duty line's) phone rings
  | 'dispatch_failed' //    it did not answer in time or could not be reached: next one
  | 'dispatch_refused' //   *1 from the headset could not start a dispatch (why: detail.reason)
  | 'dispatch_exhausted' // nobody answered: the call-taker keeps the caller and is told
  | 'officer_joined' //     caller, call-taker and officer talk together
  | 'officer_left' //
  | 'officer_busy' //       the officer who answered is busy on this incident (not offered again)
  | 'officer_released' //   ... and free again
  | 'incident_closed' //    dealt with (POST /incidents/:n/close); frees its officer
  | 'unit_notified' //      the incident was queued for a unit's webhook (durable outbox)
  | 'signed_for' //         the officer's terminal signed for the incident
  | 'on_scene' //           the officer's terminal reported arrival on scene
  | 'major_alert' //        a major category (murder, robbery...): supervisors alerted
  | 'classified' //         police matter or not, category, summary (call-taker)
  | 'transfer_dialed' //    12345 is rung into the call
  | 'transfer_answered' //  a 12345 agent is on the line with caller and call-taker
  | 'transfer_failed' //    busy, no answer, trunk down: the call-taker keeps the caller
  | 'transfer_left' //
  | 'interpreter_requested' // the call-taker asked for an interpreter: language, lines in order
  | 'interpreter_ringing' //   an interpreter line rings
  | 'interpreter_failed' //    it did not answer in time, could not be reached, or was withdrawn
  | 'interpreter_exhausted' // no line of the language answered: the call-taker is told, the call goes on
  | 'interpreter_joined' //    caller, call-taker and interpreter talk together (recorded)
  | 'interpreter_left' //      hung up, or dismissed by the call-taker (detail.by): the call goes on
  | 'taker_left' //         the call-taker left caller and officer talking
  | 'seat_lost' //          a nailed seat's connection dropped mid-call: the caller is queued again
  | 'abandoned' //          the caller hung up before anyone answered
  | 'callback' //           a call-taker calls an abandoned caller back
  | 'monitoring_started' // a supervisor listens / whispers / barges (who, mode)
  | 'monitoring_mode' //    the supervisor switched mode
  | 'monitoring_ended' //   call ended, supervisor hung up, or stopped by REST (why)
  | 'text_received' //    a text (12110 SMS) from the caller: gateway id, SHA-256 of its body (body: text_messages)
  | 'text_sent' //        a text to the caller, queued for the gateway: outbox key, SHA-256, who, why (reply, location request)
  | 'text_delivered' //   the gateway took that text (the outbox's 2xx)
  | 'text_released' //    the call-taker let the text conversation go; a new text queues it again
  | 'text_requeued' //    its seat logged out: the conversation waits in the queue again
  | 'text_closed' //      the text conversation is over; a new text from the number opens a new incident
  | 'recall' //             the call-taker re-heard the last seconds of the call
  | 'followup_scheduled' //   closed: a follow-up (回访) will ask the caller (id, reason major|share, dueAt)
  | 'followup_calling' //     a follow-up attempt rings the caller (attempt, channel)
  | 'followup_retry' //       nobody answered (why): tried again at dueAt
  | 'followup_answered' //    the caller's scores 1-5 (speed, attitude, efficiency; null: no answer)
  | 'followup_not_reached' // every attempt failed (attempts, why of the last)
  | 'followup_unsatisfied' // a score of 2 or less: pushed to the unit to verify (unit, pushed)
  | 'followup_verified' //    the unit's answer to it (unit, by, answer)
  | 'ended'; //             the caller's channel is gone
