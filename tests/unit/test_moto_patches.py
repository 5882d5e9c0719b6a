"""The local stack's moto patch keeps TransactWriteItems all-or-nothing."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


def test_failed_transaction_rolls_back_only_its_items():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="ap-southeast-1")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="t", Item={"k": {"S": "a"}, "n": {"N": "1"}})
        ddb.put_item(TableName="t", Item={"k": {"S": "other"}, "n": {"N": "7"}})
        with pytest.raises(ClientError) as err:
            ddb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "t",
                            "Key": {"k": {"S": "a"}},
                            "UpdateExpression": "SET n = :v",
                            "ExpressionAttributeValues": {":v": {"N": "2"}},
                        }
                    },
                    {"Put": {"TableName": "t", "Item": {"k": {"S": "new"}}}},
                    {
                        "Put": {
                            "TableName": "t",
                            "Item": {"k": {"S": "b"}},
                            "ConditionExpression": "attribute_exists(k)",
                        }
                    },
                ]
            )
        assert err.value.response["Error"]["Code"] == "TransactionCanceledException"
        assert ddb.get_item(TableName="t", Key={"k": {"S": "a"}})["Item"]["n"] == {"N": "1"}
        assert "Item" not in ddb.get_item(TableName="t", Key={"k": {"S": "new"}})
        assert ddb.get_item(TableName="t", Key={"k": {"S": "other"}})["Item"]["n"] == {"N": "7"}
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": {"k": {"S": "b"}}}},
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"k": {"S": "a"}},
                        "UpdateExpression": "SET n = :v",
                        "ExpressionAttributeValues": {":v": {"N": "3"}},
                    }
                },
            ]
        )
        assert ddb.get_item(TableName="t", Key={"k": {"S": "a"}})["Item"]["n"] == {"N": "3"}


def _table_with_partitions(ddb):
    ddb.create_table(
        TableName="daily",
        KeySchema=[
            {"AttributeName": "scope", "KeyType": "HASH"},
            {"AttributeName": "day", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "scope", "AttributeType": "S"},
            {"AttributeName": "day", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "day", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for scope in ("a", "b", "c"):
        for day in range(1, 11):
            ddb.put_item(
                TableName="daily",
                Item={
                    "scope": {"S": scope},
                    "day": {"S": f"2025-07-{day:02d}"},
                    "n": {"N": str(day)},
                    "g": {"S": "odd" if day % 2 else "even"},
                },
            )


def test_table_query_reads_only_its_partition_with_moto_semantics():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="ap-southeast-1")
        _table_with_partitions(ddb)

        def days(**kwargs):
            out = ddb.query(TableName="daily", **kwargs)
            return [i["day"]["S"][-2:] for i in out["Items"]], out.get("LastEvaluatedKey")

        base = {
            "KeyConditionExpression": "#s = :s AND #d BETWEEN :a AND :b",
            "ExpressionAttributeNames": {"#s": "scope", "#d": "day"},
            "ExpressionAttributeValues": {
                ":s": {"S": "b"},
                ":a": {"S": "2025-07-03"},
                ":b": {"S": "2025-07-07"},
            },
        }
        assert days(**base) == (["03", "04", "05", "06", "07"], None)
        assert days(**base, ScanIndexForward=False)[0] == ["07", "06", "05", "04", "03"]
        first, last = days(**base, Limit=2)
        assert first == ["03", "04"] and last["scope"] == {"S": "b"}
        assert days(**base, Limit=2, ExclusiveStartKey=last)[0] == ["05", "06"]
        filtered = {
            **base,
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {**base["ExpressionAttributeValues"], ":n": {"N": "5"}},
        }
        assert days(**filtered)[0] == ["06", "07"]
        missing = {**base, "ExpressionAttributeValues": {**base["ExpressionAttributeValues"]}}
        missing["ExpressionAttributeValues"][":s"] = {"S": "nope"}
        assert days(**missing) == ([], None)
        # an index query still sees every partition
        out = ddb.query(
            TableName="daily",
            IndexName="by_g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "odd"}},
        )
        assert out["Count"] == 15
        assert ddb.scan(TableName="daily")["Count"] == 30


def test_read_responses_round_trip_every_attribute_type():
    item = {
        "k": {"S": "key"},
        "s": {"S": 'Trường Sa – "quoted"'},
        "n": {"N": "-12.5"},
        "b": {"B": b"\x00\xffbytes"},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "m": {"M": {"inner": {"N": "1"}, "deep": {"M": {"x": {"S": "y"}}}}},
        "l": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"c": {"BOOL": False}}}]},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"\x01", b"\x02"]},
    }
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="ap-southeast-1")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="t", Item=item)

        def normal(value):
            value = dict(value)
            value["ss"] = {"SS": sorted(value["ss"]["SS"])}
            value["ns"] = {"NS": sorted(value["ns"]["NS"])}
            value["bs"] = {"BS": sorted(value["bs"]["BS"])}
            return value

        got = ddb.get_item(TableName="t", Key={"k": {"S": "key"}})["Item"]
        assert normal(got) == normal(item)
        (queried,) = ddb.query(
            TableName="t",
            KeyConditionExpression="k = :k",
            ExpressionAttributeValues={":k": {"S": "key"}},
            ReturnConsumedCapacity="TOTAL",
        )["Items"]
        assert normal(queried) == normal(item)
        (scanned,) = ddb.scan(TableName="t")["Items"]
        assert normal(scanned) == normal(item)
        batch = ddb.batch_get_item(RequestItems={"t": {"Keys": [{"k": {"S": "key"}}]}})
        assert normal(batch["Responses"]["t"][0]) == normal(item)
        assert batch["UnprocessedKeys"] == {}
        # errors still take moto's own path
        with pytest.raises(ClientError) as err:
            ddb.get_item(TableName="nope", Key={"k": {"S": "key"}})
        assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
