package sample

import "trustcenter/shared/local/pdf"

const soc2Title = "SOC 2 Type II Report"

const restrictedSOC2 = "Restricted use. This report is intended only for Lumen Ledger, Inc., its user entities and " +
	"prospective user entities, their auditors and regulators, and business partners who understand the nature of " +
	"the service, the trust services criteria and the limitations of internal control. It is provided under a " +
	"non-disclosure agreement and must not be passed on to anyone else."

func soc2() []pdf.Page {
	var d doc
	d.cover("SOC 2 Type II – restricted use", []string{
		"SOC 2 Type II Report",
		"Security, Availability and Confidentiality",
	}, "Restricted use, under NDA.")
	d.p(restrictedSOC2)
	d.h2("Contents")
	d.bullets(
		"Section 1. Independent Service Auditor's Report",
		"Section 2. Assertion of Lumen Ledger, Inc. Management",
		"Section 3. Description of the "+System,
		"Section 4. Trust Services Criteria, Control Activities, Tests and Results",
		"Section 5. Other Information Provided by Lumen Ledger (unaudited)",
	)
	d.newPage()

	d.h1("Section 1. Independent Service Auditor's Report")
	d.p("To the Board of Directors and Management of Lumen Ledger, Inc.")
	d.h2("Scope")
	d.p("We examined Lumen Ledger's description of its " + System + " in Section 3 (the description) for the " +
		"period 1 October 2025 to 30 September 2026, and the suitability of the design and the operating " +
		"effectiveness of the controls stated in the description throughout that period, to provide reasonable " +
		"assurance that Lumen Ledger's service commitments and system requirements were achieved based on the " +
		"trust services criteria relevant to security, availability and confidentiality.")
	d.p("Lumen Ledger uses a cloud infrastructure provider as a subservice organization. The description " +
		"excludes the provider's controls (the carve-out method) but identifies the complementary subservice " +
		"organization controls that Lumen Ledger assumes the provider operates. The description also identifies " +
		"complementary user entity controls that customers are expected to operate. We did not evaluate either.")
	d.h2("Service auditor's responsibilities")
	d.p("We conducted our examination in accordance with AT-C section 205 of the AICPA attestation standards. " +
		"A Type II examination covers both the design of controls and whether they operated effectively over a " +
		"period, unlike a Type I examination, which addresses design at a single point in time. Our procedures " +
		"included inspecting the description, assessing the risks that it is not fairly presented and that " +
		"controls were not suitably designed or operating effectively, and testing the operating effectiveness " +
		"of the controls listed in Section 4. The tests and their results are shown in Section 4.")
	d.h2("Opinion")
	d.p("In our opinion, in all material respects, (a) the description presents the system that was designed " +
		"and implemented throughout the period; (b) the controls stated in the description were suitably " +
		"designed to provide reasonable assurance that the service commitments and system requirements would " +
		"be achieved if the controls operated effectively; and (c) the controls operated effectively throughout " +
		"the period. The exception described for control LL-AC-03 in Section 4 did not change this opinion.")
	d.p(restrictedSOC2)
	d.signature()
	d.newPage()

	d.h1("Section 2. Assertion of Lumen Ledger, Inc. Management")
	d.p("We have prepared the description in Section 3 of the " + System + " for the period 1 October 2025 " +
		"to 30 September 2026 for user entities and other specified parties who need to understand the " +
		"system when assessing the risks that arise from their use of it.")
	d.p("We confirm, to the best of our knowledge and belief, that the description presents the system as " +
		"designed and implemented throughout the period; that the controls stated in it were suitably designed " +
		"to achieve our service commitments and system requirements based on the applicable trust services " +
		"criteria; and that those controls operated effectively throughout the period.")
	d.p("Lumen Ledger, Inc. management (SAMPLE)")
	d.newPage()

	d.h1("Section 3. Description of the " + System)
	d.h2("Company overview")
	d.p("Lumen Ledger, Inc. was founded in 2017 and is headquartered in Portland, Oregon. It serves mid-sized " +
		"companies whose finance teams process between one thousand and fifty thousand supplier invoices a month. " +
		"About 180 employees work in engineering, customer success, security and corporate functions.")
	d.h2("Services in scope")
	d.bullets(
		"Invoice capture: invoices arrive by e-mail, upload or API and are read into structured records for review.",
		"Approvals: configurable approval chains route each invoice to the right approvers before payment.",
		"Payments: approved invoices are grouped into payment batches that are sent to customers' banks.",
		"Reconciliation and close: bank statement lines are matched to ledger entries and close tasks are tracked.",
	)
	d.h2("Infrastructure and software")
	d.p("The platform runs in two regions of a cloud provider. Production, staging and corporate environments are " +
		"separate accounts. The web application and API run as containers behind load balancers with a web " +
		"application firewall; customer data is stored in managed relational databases and object storage, " +
		"encrypted with keys held in the provider's key management service. Infrastructure is defined as code " +
		"and changed only through the deployment pipeline.")
	d.h2("People and procedures")
	d.p("A security team of six reports to the Chief Technology Officer and owns the information security " +
		"program, policies, risk assessment and incident response. Site reliability engineers operate production. " +
		"Policies are reviewed every year, and all staff complete security awareness training when they join " +
		"and annually thereafter.")
	d.h2("Data")
	d.p("Customer data includes invoices, supplier bank details, payment instructions, bank statements and user " +
		"profiles. It is classified as Confidential, the highest of Lumen Ledger's three classification levels, " +
		"and is retained for the term of the contract plus 30 days.")
	d.h2("Trust services criteria in scope")
	d.bullets(
		"Security: the common criteria CC1 to CC9 (control environment, communication, risk assessment, monitoring, control activities, logical and physical access, system operations, change management and risk mitigation).",
		"Availability: criteria A1.1 to A1.3 (capacity, environmental protections and backups, and recovery testing).",
		"Confidentiality: criteria C1.1 and C1.2 (identifying, protecting and disposing of confidential information).",
		"Not in scope: processing integrity and privacy.",
	)
	d.h2("Complementary user entity controls")
	d.bullets(
		"Customers administer their own users' access, including prompt removal of users who leave.",
		"Customers configure approval chains that reflect their own authorization policies.",
		"Customers review payment batches before release and reconcile payments with their bank records.",
	)
	d.h2("Complementary subservice organization controls")
	d.bullets(
		"The cloud provider restricts physical access to data centers to authorized personnel.",
		"The cloud provider maintains environmental protections, redundant power and hardware maintenance.",
	)
	d.newPage()

	d.h1("Section 4. Trust Services Criteria, Control Activities, Tests and Results")
	d.p("Tests were performed over the period 1 October 2025 to 30 September 2026. Sample sizes follow the " +
		"frequency of each control: for example, 25 items for controls that operate many times a day, and all " +
		"four quarters for quarterly controls. Inquiry was combined with inspection, observation or " +
		"re-performance for every control.")
	d.h2("CC1 to CC5: Control environment, risk assessment and monitoring")
	d.control("LL-GV-01 (CC1.4, CC2.2)",
		"New employees and contractors complete security awareness training within 30 days of starting, and all staff complete it annually.",
		"Inspected training records for a sample of 25 new hires and for the annual campaign completion report.",
		"No exceptions noted.")
	d.control("LL-GV-02 (CC3.1, CC3.2)",
		"The security team performs a formal risk assessment each year; risks are rated, assigned owners and tracked to treatment.",
		"Inspected the annual risk assessment and the risk register, and traced a sample of 10 risks to their treatment plans.",
		"No exceptions noted.")
	d.h2("CC6: Logical and physical access")
	d.control("LL-AC-01 (CC6.1)",
		"Access to production systems requires single sign-on with phishing-resistant multi-factor authentication.",
		"Inspected the identity provider's authentication policies and observed a login attempt without a security key being refused.",
		"No exceptions noted.")
	d.control("LL-AC-02 (CC6.2, CC6.3)",
		"Production access is granted through a ticket approved by the system owner and is limited to the role's needs.",
		"Selected 25 access grants made during the period and inspected the approval and the granted role for each.",
		"No exceptions noted.")
	d.control("LL-AC-03 (CC6.2)",
		"Access of departing personnel is revoked within one business day of their last working day.",
		"Selected 25 departures from the HR system and compared each last working day with the access removal time.",
		"Exception noted: for 1 of the 25 departures, production access was removed three business days after the last working day. "+
			"Log review showed no use of the account after the last working day.")
	d.control("LL-AC-04 (CC6.1, C1.1)",
		"Customer data is encrypted at rest with AES-256 and in transit with TLS 1.2 or later.",
		"Inspected storage and database encryption settings and the load balancer TLS policy; scanned public endpoints for protocol versions.",
		"No exceptions noted.")
	d.h2("CC7 and CC8: System operations and change management")
	d.control("LL-OP-01 (CC7.2, CC7.3)",
		"Security alerts are triaged by an on-call engineer, and incidents follow the documented incident response plan.",
		"Selected 25 alerts and inspected their triage records; inspected the records of both security incidents declared in the period.",
		"No exceptions noted.")
	d.control("LL-CM-01 (CC8.1)",
		"Code changes are peer reviewed and pass automated tests before the pipeline deploys them; no one can approve their own change.",
		"Selected 25 production deployments and inspected the review approvals and test results; inspected the branch protection settings.",
		"No exceptions noted.")
	d.h2("A1 and C1: Availability and confidentiality")
	d.control("LL-AV-01 (A1.2)",
		"Databases are backed up continuously with point-in-time recovery, and backups are copied to the second region.",
		"Inspected the backup configuration and replication settings, and a sample of 25 daily backup monitoring reports.",
		"No exceptions noted.")
	d.control("LL-AV-02 (A1.3)",
		"The disaster recovery plan is tested at least once a year by restoring production data in the second region.",
		"Inspected the recovery test report of June 2026 and compared the measured recovery times with the stated objectives.",
		"No exceptions noted.")
	d.control("LL-CF-01 (C1.2)",
		"Customer data is deleted within 30 days after a contract ends, and deletion is confirmed in the offboarding ticket.",
		"Selected the 8 customer contracts that ended during the period and inspected the deletion evidence for each.",
		"No exceptions noted.")
	d.newPage()

	d.h1("Section 5. Other Information Provided by Lumen Ledger (unaudited)")
	d.p("This section was prepared by Lumen Ledger management. The service auditor did not examine it and " +
		"expresses no opinion on it.")
	d.h2("Management's response to the exception in LL-AC-03")
	d.p("The late removal followed a departure on the day before a public holiday, when the automated " +
		"deprovisioning job failed and its failure alert was routed to a retired channel. In October 2026 we " +
		"moved the alert to the on-call rotation and added a daily report of accounts whose owners have left, " +
		"which the security team reviews each business day.")
	return d.done()
}
