window.YTD.direct_messages.part0 = [
  {"dmConversation": {
    "messages": [
  ]
]
