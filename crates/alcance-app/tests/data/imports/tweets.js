window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [ "1839000000000000001" ],
          "editableUntil" : "2024-09-25T13:03:11.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
      "display_text_range" : [ "0", "38" ],
      "favorite_count" : "42",
      "id_str" : "1839000000000000001",
      "truncated" : false,
      "retweet_count" : "7",
      "id" : "1839000000000000001",
      "created_at" : "Wed Sep 25 12:03:11 +0000 2024",
      "favorited" : false,
      "full_text" : "Lançamento da coleção de verão {hoje}!",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "favorite_count" : "3",
      "id_str" : "1700000000000000002",
      "retweet_count" : "0",
      "id" : "1700000000000000002",
      "created_at" : "Fri Sep 08 09:30:00 +0000 2023",
      "full_text" : "Bom dia! Novidades em breve.",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "favorite_count" : "0",
      "id_str" : "1700000000000000003",
      "retweet_count" : "15",
      "id" : "1700000000000000003",
      "created_at" : "Sat Sep 09 10:00:00 +0000 2023",
      "full_text" : "RT @outra_marca: uma promoção que não é nossa",
      "lang" : "pt"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "favorite_count" : 128,
      "id_str" : "1500000000000000004",
      "retweet_count" : 19,
      "id" : "1500000000000000004",
      "created_at" : "Wed Oct 10 20:19:24 +0000 2018",
      "full_text" : "Primeiro post da marca 🎉",
      "lang" : "pt"
    }
  }
]
