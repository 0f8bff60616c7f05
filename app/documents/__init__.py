"""PDF documents of an event: the certificate of attendance (参加証明書) for those checked in,
name tags (名札) on label sheets and the reception list (受付名簿), in 五十音順.

attendees.py who is in each; reading.py the order by furigana; labels.py the label sheets;
certificates.py, name_tags.py, reception_list.py the documents; rendering.py HTML to PDF with
WeasyPrint; http.py the download; views.py the attendee's door (the console's is
app/admin/documents.py).
"""
