"""The invocation-logging custom resource's handler on moto's Bedrock (moto runs no Lambda code, so the
handler is called directly with the events the CDK Provider framework passes on).

Bedrock has one logging configuration per account and region: the resource must not overwrite one that
delivers elsewhere unless told to, must remember what was there, and must restore it on delete.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from invocation_logging import guard, handler
from invocation_logging.guard import LoggingConflict, handle
from tests.functional.conftest import REGION

OURS = {"BucketName": "stack-logs", "KeyPrefix": "", "ReplaceExisting": "false"}
THEIRS = {
    "s3Config": {"bucketName": "team-logs", "keyPrefix": "bedrock"},
    "cloudWatchConfig": {
        "logGroupName": "/bedrock/invocations",
        "roleArn": "arn:aws:iam::123456789012:role/bedrock-logging",
    },
    "textDataDeliveryEnabled": True,
    "imageDataDeliveryEnabled": True,
    "embeddingDataDeliveryEnabled": True,
}
STACK_CONFIG = {
    "s3Config": {"bucketName": "stack-logs"},
    "textDataDeliveryEnabled": True,
    "imageDataDeliveryEnabled": False,
    "embeddingDataDeliveryEnabled": False,
}


@pytest.fixture
def bedrock(aws: None) -> Any:
    return boto3.client("bedrock", region_name=REGION)


def configured(client: Any) -> dict[str, Any]:
    return client.get_model_invocation_logging_configuration().get("loggingConfig") or {}


def create(client: Any, **properties: str) -> guard.Response:
    return handle({"RequestType": "Create", "ResourceProperties": {**OURS, **properties}}, client)


def delete(client: Any, physical: str, **properties: str) -> guard.Response:
    event = {"RequestType": "Delete", "PhysicalResourceId": physical, "ResourceProperties": {**OURS, **properties}}
    return handle(event, client)


def update(client: Any, physical: str, old: dict[str, str], **properties: str) -> guard.Response:
    event = {
        "RequestType": "Update",
        "PhysicalResourceId": physical,
        "ResourceProperties": {**OURS, **properties},
        "OldResourceProperties": {**OURS, **old},
    }
    return handle(event, client)


# --- create -------------------------------------------------------------------------------------------


def test_create_over_nothing_sets_text_only_logging_and_delete_removes_it(bedrock: Any) -> None:
    response = create(bedrock)
    assert configured(bedrock) == STACK_CONFIG
    assert response["PhysicalResourceId"] == guard.PHYSICAL_ID_PREFIX + "none"
    assert response["Data"] == {"Destination": "s3://stack-logs/", "Action": "set", "Before": "nowhere"}

    delete(bedrock, response["PhysicalResourceId"])
    assert configured(bedrock) == {}


def test_create_honours_the_key_prefix(bedrock: Any) -> None:
    create(bedrock, KeyPrefix="/bedrock/prod/")
    assert configured(bedrock)["s3Config"] == {"bucketName": "stack-logs", "keyPrefix": "bedrock/prod"}


def test_create_over_another_destination_is_refused_and_changes_nothing(bedrock: Any) -> None:
    bedrock.put_model_invocation_logging_configuration(loggingConfig=THEIRS)
    with pytest.raises(LoggingConflict) as refused:
        create(bedrock)
    message = str(refused.value)
    assert "s3://team-logs/bedrock/" in message and "CloudWatch Logs group /bedrock/invocations" in message
    assert "s3://stack-logs/" in message and "invocationLogging.replaceExisting=true" in message
    assert configured(bedrock) == THEIRS


def test_a_cloudwatch_only_configuration_is_another_destination_too(bedrock: Any) -> None:
    theirs = {"cloudWatchConfig": THEIRS["cloudWatchConfig"], "textDataDeliveryEnabled": True}
    bedrock.put_model_invocation_logging_configuration(loggingConfig=theirs)
    with pytest.raises(LoggingConflict, match="CloudWatch Logs group"):
        create(bedrock)
    assert configured(bedrock) == theirs


def test_create_replaces_when_told_and_delete_restores_what_was_there(bedrock: Any) -> None:
    bedrock.put_model_invocation_logging_configuration(loggingConfig=THEIRS)
    response = create(bedrock, ReplaceExisting="true")
    assert configured(bedrock) == STACK_CONFIG
    assert response["Data"]["Action"] == "replaced"
    assert response["Data"]["Before"].startswith("s3://team-logs/bedrock/")

    delete(bedrock, response["PhysicalResourceId"], ReplaceExisting="true")
    assert configured(bedrock) == THEIRS


def test_create_over_the_same_destination_keeps_it_and_delete_leaves_it(bedrock: Any) -> None:
    same = {**THEIRS, "s3Config": {"bucketName": "stack-logs", "keyPrefix": "/"}}
    bedrock.put_model_invocation_logging_configuration(loggingConfig=same)
    response = create(bedrock)  # not refused: it already delivers where the stack reads
    assert response["Data"]["Action"] == "kept"
    assert configured(bedrock) == same  # their CloudWatch delivery and image/embedding data are kept

    delete(bedrock, response["PhysicalResourceId"])
    assert configured(bedrock) == same  # it was there before the stack: not deleted


def test_create_over_the_same_destination_switches_text_delivery_on(bedrock: Any) -> None:
    same = {
        "s3Config": {"bucketName": "stack-logs"},
        "textDataDeliveryEnabled": False,
        "imageDataDeliveryEnabled": True,
    }
    bedrock.put_model_invocation_logging_configuration(loggingConfig=same)
    response = create(bedrock)
    assert response["Data"]["Action"] == "kept, text delivery switched on"
    assert configured(bedrock) == {**same, "textDataDeliveryEnabled": True}

    delete(bedrock, response["PhysicalResourceId"])
    assert configured(bedrock) == same


def test_a_configuration_too_large_to_remember_is_refused_before_any_change() -> None:
    client = boto3.client("bedrock", region_name=REGION)
    # a role path that compression cannot shrink below CloudFormation's 1 KB
    noise = "".join(random.Random(0).choices(string.ascii_letters + string.digits + "+=,.@_-", k=1500))
    big = {
        "cloudWatchConfig": {"logGroupName": "/x", "roleArn": f"arn:aws:iam::123456789012:role/{noise}"},
        "textDataDeliveryEnabled": True,
    }
    with Stubber(client) as stub:
        stub.add_response("get_model_invocation_logging_configuration", {"loggingConfig": big})
        with pytest.raises(LoggingConflict, match="too large to be remembered"):
            create(client, ReplaceExisting="true")
        stub.assert_no_pending_responses()  # no put was attempted


# --- update ---------------------------------------------------------------------------------------------


def test_update_moves_to_the_new_destination_and_keeps_what_to_restore(bedrock: Any) -> None:
    bedrock.put_model_invocation_logging_configuration(loggingConfig=THEIRS)
    physical = create(bedrock, ReplaceExisting="true")["PhysicalResourceId"]

    response = update(bedrock, physical, {"ReplaceExisting": "true"}, BucketName="new-logs", KeyPrefix="p")
    assert response["PhysicalResourceId"] == physical  # a new id would make CloudFormation delete the old one
    assert configured(bedrock)["s3Config"] == {"bucketName": "new-logs", "keyPrefix": "p"}

    delete(bedrock, physical, BucketName="new-logs", KeyPrefix="p")
    assert configured(bedrock) == THEIRS


def test_update_refuses_a_destination_changed_since_unless_told(bedrock: Any) -> None:
    physical = create(bedrock)["PhysicalResourceId"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=THEIRS)  # someone else, since
    with pytest.raises(LoggingConflict, match="now delivers to s3://team-logs/bedrock/"):
        update(bedrock, physical, {}, BucketName="new-logs")
    assert configured(bedrock) == THEIRS

    update(bedrock, physical, {}, BucketName="new-logs", ReplaceExisting="true")
    assert configured(bedrock)["s3Config"] == {"bucketName": "new-logs"}


def test_update_of_the_replace_flag_alone_changes_nothing(bedrock: Any) -> None:
    physical = create(bedrock)["PhysicalResourceId"]
    response = update(bedrock, physical, {}, ReplaceExisting="true")
    assert response["Data"]["Action"] == "kept"
    assert configured(bedrock) == STACK_CONFIG


# --- delete ---------------------------------------------------------------------------------------------


def test_delete_leaves_a_configuration_someone_changed_since(bedrock: Any) -> None:
    physical = create(bedrock)["PhysicalResourceId"]
    bedrock.put_model_invocation_logging_configuration(loggingConfig=THEIRS)
    delete(bedrock, physical)
    assert configured(bedrock) == THEIRS


def test_delete_of_a_failed_create_touches_nothing(bedrock: Any) -> None:
    """The Provider framework answers a failed create with a marker id; the rollback's delete must not
    delete the configuration the create refused to replace."""
    bedrock.put_model_invocation_logging_configuration(loggingConfig=STACK_CONFIG)
    delete(bedrock, "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED")
    delete(bedrock, guard.PHYSICAL_ID_PREFIX + "restore:not-base64!")
    assert configured(bedrock) == STACK_CONFIG


def test_physical_id_round_trip_and_size() -> None:
    assert guard.remembered(guard.physical_id(None)) is None
    physical = guard.physical_id(THEIRS)  # type: ignore[arg-type]
    assert guard.remembered(physical) == THEIRS
    assert len(physical) <= guard.PHYSICAL_ID_MAX_BYTES
    with pytest.raises(guard.UnknownPhysicalId):
        guard.remembered("bedrock-invocation-logging-us-east-1")  # the old AwsCustomResource's id


# --- the Lambda entry point ---------------------------------------------------------------------------------


@pytest.fixture
def lambda_client(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    handler._client.cache_clear()
    yield
    handler._client.cache_clear()


def test_lambda_entry_point_creates_and_deletes(lambda_client: None) -> None:
    event = {"RequestType": "Create", "ResourceProperties": {"ServiceToken": "arn:...", **OURS}}
    response = handler.on_event(event, None)
    bedrock = boto3.client("bedrock", region_name=REGION)
    assert configured(bedrock) == STACK_CONFIG
    handler.on_event(
        {"RequestType": "Delete", "PhysicalResourceId": response["PhysicalResourceId"], "ResourceProperties": OURS},
        None,
    )
    assert configured(bedrock) == {}
