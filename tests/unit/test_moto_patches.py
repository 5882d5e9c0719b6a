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
