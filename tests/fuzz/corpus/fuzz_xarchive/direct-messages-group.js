window.YTD.direct_messages_group.part0 = [
  {
    "dmConversation": {
      "conversationId": "1790000000000000000",
      "messages": [
        {
          "messageCreate": {
            "recipientId": "1790000000000000000",
            "reactions": [],
            "urls": [],
            "text": "Benvenuti!",
            "mediaUrls": [],
            "senderId": "1111",
            "id": "1790000000000000005",
            "createdAt": "2024-07-01T10:02:00.000Z"
          }
        },
        {
          "conversationNameUpdate": {
            "initiatingUserId": "1111",
            "name": "Fornitori 2024",
            "createdAt": "2024-07-01T10:01:00.000Z"
          }
        },
        {
          "participantsJoin": {
            "initiatingUserId": "1111",
            "userIds": [
              "2222",
              "3333"
            ],
            "createdAt": "2024-07-01T10:00:30.000Z"
          }
        },
        {
          "joinConversation": {
            "initiatingUserId": "1111",
            "participantsSnapshot": [
              "1111"
            ],
            "createdAt": "2024-07-01T10:00:00.000Z"
          }
        }
      ]
    }
  }
]
