"""Tests of smarketing.datasets.crm, the importer of CRM exports."""
