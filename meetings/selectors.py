"""Reads that pages of several apps share (the dashboard, "My meetings")."""

from meetings.models import Attendance, Meeting


def upcoming_with_my_attendance(user, meetings) -> list[Meeting]:
    """Attach `my_attendance` (or None) to each meeting, in one query for the lot."""
    meetings = list(meetings)
    mine = {
        attendance.meeting_id: attendance
        for attendance in Attendance.objects.filter(
            user=user, meeting__in=[meeting.pk for meeting in meetings]
        )
    }
    for meeting in meetings:
        meeting.my_attendance = mine.get(meeting.pk)
        if meeting.my_attendance:
            meeting.my_attendance.meeting = meeting  # finish_status reads it
        meeting.my_percent = (
            meeting.my_attendance.percent_of(meeting.target_page) if meeting.my_attendance else 0
        )
    return meetings
