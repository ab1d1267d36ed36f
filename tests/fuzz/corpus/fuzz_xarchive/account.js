window.YTD.account.part0 = [
  {
    "account": {
      "email": "social@piazza.example",
      "createdVia": "web",
      "username": "piazza_it",
      "accountId": "1111",
      "createdAt": "2015-01-01T00:00:00.000Z",
      "accountDisplayName": "piazza"
    }
  }
]
