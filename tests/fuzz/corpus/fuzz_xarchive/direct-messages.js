window.YTD.direct_messages.part0 = [
  {
    "dmConversation": {
      "conversationId": "1111-2222",
      "messages": [
        {
          "messageCreate": {
            "recipientId": "2222",
            "reactions": [
              {
                "senderId": "2222",
                "reactionKey": "like",
                "eventId": "9",
                "createdAt": "2024-05-02T09:10:00.000Z"
              }
            ],
            "urls": [],
            "text": "Perfetto, ci vediamo martedì alle 15 🙂",
            "mediaUrls": [],
            "senderId": "1111",
            "id": "1786000000000000004",
            "createdAt": "2024-05-02T09:05:00.120Z"
          }
        },
        {
          "messageCreate": {
            "recipientId": "1111",
            "reactions": [],
            "urls": [],
            "text": "Ecco la brochure https://t.co/abc",
            "mediaUrls": [
              "https://ton.twitter.com/dm/1786000000000000003/1786000000000000099/brochure.jpg"
            ],
            "senderId": "2222",
            "id": "1786000000000000003",
            "createdAt": "2024-05-02T09:00:00.000Z"
          }
        },
        {
          "messageCreate": {
            "recipientId": "1111",
            "reactions": [],
            "urls": [],
            "text": "senza data",
            "mediaUrls": [],
            "senderId": "2222",
            "id": "1786000000000000002"
          }
        },
        {
          "messageCreate": {
            "recipientId": "2222",
            "reactions": [],
            "urls": [],
            "text": "Buongiorno Sara,\nposso presentarle piazza?",
            "mediaUrls": [],
            "senderId": "1111",
            "id": "1786000000000000001",
            "createdAt": "2024-05-01T16:30:00.000Z"
          }
        }
      ]
    }
  },
  {
    "dmConversation": {
      "conversationId": "3333-1111",
      "messages": [
        {
          "messageCreate": {
            "recipientId": "1111",
            "reactions": [],
            "urls": [],
            "text": "Info su prezzi & sconti? <3",
            "mediaUrls": [],
            "senderId": "3333",
            "id": "1786000000000000010",
            "createdAt": "2024-06-01T08:00:00Z"
          }
        }
      ]
    }
  }
]
